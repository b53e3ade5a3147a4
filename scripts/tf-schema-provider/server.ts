// A schema-only Terraform provider: it answers the plugin protocol (version 6)
// with the schema recorded in a `terraform providers schema -json` file, so that
// `terraform init` and `terraform validate` run offline against the real
// argument names, types, required blocks and nesting of the provider.
//
// Usage (Terraform starts it; scripts/validate.sh writes the launcher):
//   node server.js --schema schema/yandex.json --provider registry.terraform.io/yandex-cloud/yandex --proto-dir DIR
//
// It never plans or applies anything: validation RPCs answer "no diagnostics",
// everything else answers UNIMPLEMENTED.
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

// The go-plugin handshake Terraform uses for providers.
const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 6;

type CtyType = string | [string, unknown] | [string, unknown, unknown];

interface JsonAttribute {
  type?: CtyType;
  description?: string;
  description_kind?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
}

interface JsonBlock {
  attributes?: Record<string, JsonAttribute>;
  block_types?: Record<string, JsonNestedBlock>;
  description?: string;
  description_kind?: string;
  deprecated?: boolean;
}

interface JsonNestedBlock {
  nesting_mode: "single" | "list" | "set" | "map" | "group";
  block: JsonBlock;
  min_items?: number;
  max_items?: number;
}

interface JsonSchema {
  version?: number;
  block: JsonBlock;
}

export interface JsonProviderSchema {
  provider?: JsonSchema;
  resource_schemas?: Record<string, JsonSchema>;
  data_source_schemas?: Record<string, JsonSchema>;
}

interface SchemaFile {
  format_version: string;
  provider_schemas: Record<string, JsonProviderSchema>;
}

const kind = (k?: string): string => (k === "markdown" ? "MARKDOWN" : "PLAIN");

function toProtoBlock(block: JsonBlock, version = 0): Record<string, unknown> {
  const attributes = Object.entries(block.attributes ?? {}).map(([name, a]) => {
    if (a.type === undefined) {
      throw new Error(`attribute "${name}" has no type: nested attribute types are not supported by this server`);
    }
    return {
      name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description ?? "",
      description_kind: kind(a.description_kind),
      required: a.required === true,
      optional: a.optional === true,
      computed: a.computed === true,
      sensitive: a.sensitive === true,
      deprecated: a.deprecated === true,
    };
  });
  const blockTypes = Object.entries(block.block_types ?? {}).map(([typeName, nb]) => ({
    type_name: typeName,
    block: toProtoBlock(nb.block),
    nesting: nb.nesting_mode.toUpperCase(),
    min_items: nb.min_items ?? 0,
    max_items: nb.max_items ?? 0,
  }));
  return {
    version,
    attributes,
    block_types: blockTypes,
    description: block.description ?? "",
    description_kind: kind(block.description_kind),
    deprecated: block.deprecated === true,
  };
}

function toProtoSchema(s: JsonSchema | undefined): Record<string, unknown> {
  const schema = s ?? { version: 0, block: {} };
  return { version: schema.version ?? 0, block: toProtoBlock(schema.block, schema.version ?? 0) };
}

/** The GetProviderSchema answer for one provider of a schema file. */
export function providerSchemaResponse(ps: JsonProviderSchema): Record<string, unknown> {
  const mapOf = (m?: Record<string, JsonSchema>) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([name, s]) => [name, toProtoSchema(s)]));
  return {
    provider: toProtoSchema(ps.provider),
    resource_schemas: mapOf(ps.resource_schemas),
    data_source_schemas: mapOf(ps.data_source_schemas),
    functions: {},
    diagnostics: [],
    server_capabilities: { plan_destroy: true, get_provider_schema_optional: false, move_resource_state: false },
  };
}

/** Reads one provider's schema out of a `terraform providers schema -json` file. */
export function loadProviderSchema(file: string, source: string): JsonProviderSchema {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as SchemaFile;
  const ps = parsed.provider_schemas?.[source];
  if (!ps) {
    const known = Object.keys(parsed.provider_schemas ?? {}).join(", ") || "none";
    throw new Error(`${file} has no schema for ${source} (it has: ${known})`);
  }
  return ps;
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) {
    process.stderr.write(`usage: server.js --schema FILE --provider SOURCE --proto-dir DIR (missing --${name})\n`);
    process.exit(2);
  }
  return value;
}

function main(): void {
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This is a Terraform provider plugin: it is started by Terraform, not by hand.\n" +
        "Run scripts/validate.sh, which configures Terraform to use it.\n",
    );
    process.exit(1);
  }
  const schemaFile = arg("schema");
  const source = arg("provider");
  const protoDir = arg("proto-dir");
  const ps = loadProviderSchema(schemaFile, source);
  const schemaResponse = providerSchemaResponse(ps);

  const pkgDef = protoLoader.loadSync(
    ["tfplugin6.proto", "go-plugin.proto", "health.proto"].map((f) => path.join(protoDir, f)),
    { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
  );
  // The services the .proto files define, as the loader names them.
  type Service = { service: grpc.ServiceDefinition };
  const loaded = grpc.loadPackageDefinition(pkgDef) as unknown as {
    tfplugin6: { Provider: Service };
    plugin: { GRPCController: Service; GRPCStdio: Service };
    grpc: { health: { v1: { Health: Service } } };
  };

  const server = new grpc.Server();
  const openStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  const shutdown = () => {
    for (const s of openStreams) s.end();
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  };
  const ok =
    <T>(answer: T) =>
    (_call: unknown, cb: grpc.sendUnaryData<T>) =>
      cb(null, answer);

  server.addService(loaded.tfplugin6.Provider.service, {
    GetMetadata: ok({
      server_capabilities: schemaResponse.server_capabilities,
      diagnostics: [],
      data_sources: Object.keys(ps.data_source_schemas ?? {}).map((type_name) => ({ type_name })),
      resources: Object.keys(ps.resource_schemas ?? {}).map((type_name) => ({ type_name })),
    }),
    GetProviderSchema: ok(schemaResponse),
    ValidateProviderConfig: ok({ diagnostics: [] }),
    ValidateResourceConfig: ok({ diagnostics: [] }),
    ValidateDataResourceConfig: ok({ diagnostics: [] }),
    GetFunctions: ok({ functions: {}, diagnostics: [] }),
    StopProvider: (_call: unknown, cb: grpc.sendUnaryData<{ Error: string }>) => {
      cb(null, { Error: "" });
      setImmediate(shutdown);
    },
  });
  server.addService(loaded.plugin.GRPCController.service, {
    Shutdown: (_call: unknown, cb: grpc.sendUnaryData<object>) => {
      cb(null, {});
      setImmediate(shutdown);
    },
  });
  server.addService(loaded.plugin.GRPCStdio.service, {
    // Nothing is forwarded: the stream stays open until shutdown.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      openStreams.add(call);
      call.on("cancelled", () => openStreams.delete(call));
    },
  });
  server.addService(loaded.grpc.health.v1.Health.service, {
    Check: ok({ status: "SERVING" }),
  });

  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      process.stderr.write(`cannot listen on 127.0.0.1: ${err.message}\n`);
      process.exit(1);
    }
    // The handshake line: core protocol | app protocol | network | address | protocol.
    process.stdout.write(`${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|127.0.0.1:${port}|grpc\n`);
  });
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

if (require.main === module) {
  main();
}

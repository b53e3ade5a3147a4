// Resolves the Terraform references a synthesized stack holds, the way an apply
// would, for the local installation: ids of created resources, the private
// addresses of the VMs, and cross-stack outputs read from the producing stack.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access
   -- the synthesized Terraform JSON is read untyped (StackJson): its shape is the provider's, and the apply checks it */
import { createHash } from "node:crypto";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StackJson = any;

export interface ResolveContext {
  /** Synthesized stacks by name (cdktf.out/stacks/<name>/cdk.tf.json). */
  readonly stacks: Readonly<Record<string, StackJson>>;
  /** Private address of each VM by its cloud name (bingo-db-1, bingo-app-1, ...), and the local address of each reserved public address by its name. */
  readonly addresses: Readonly<Record<string, string>>;
  /** The Lockbox payloads by secret id (for the version-entry data source). */
  readonly secrets?: Readonly<Record<string, { readonly entries: Readonly<Record<string, string>> }>>;
}

/** The id Terraform would record for a resource: stable, shaped like a Yandex id (20 characters). */
export function localId(stack: string, address: string): string {
  return "loc" + createHash("sha1").update(`${stack}/${address}`).digest("hex").slice(0, 17);
}

const REF = /(?<!\$)\$\{([^}]*)\}/g;

/** The stack's resource (or data source) at an address such as yandex_compute_instance.Database_X. */
function resourceAt(stack: StackJson, address: string): StackJson {
  const [type, name] = address.split(".");
  return stack.resource?.[type]?.[name];
}

function resolveExpression(ctx: ResolveContext, stackName: string, expr: string): string {
  const stack = ctx.stacks[stackName];
  // Only Terraform's plan output cares whether a value is sensitive.
  const unwrapped = /^(?:nonsensitive|sensitive)\((.*)\)$/s.exec(expr);
  if (unwrapped) return resolveExpression(ctx, stackName, unwrapped[1].trim());
  const entry = /^data\.yandex_lockbox_secret_version_entry\.([\w-]+)\.text_value$/.exec(expr);
  if (entry) {
    const source = stack.data?.yandex_lockbox_secret_version_entry?.[entry[1]];
    const secretId = source ? resolveRefs(ctx, stackName, String(source.secret_id)) : "";
    const value = ctx.secrets?.[secretId]?.entries[String(source?.key ?? source?.entry_key)];
    if (value === undefined) throw new Error(`the Lockbox stand-in has no entry for ${expr} in stack ${stackName}`);
    return value;
  }
  const remote = /^data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
  if (remote) {
    const [, producer, output] = remote;
    const value: unknown = ctx.stacks[producer]?.output?.[output]?.value;
    if (typeof value !== "string") throw new Error(`stack ${producer} has no output ${output} (referenced by ${stackName})`);
    return resolveRefs(ctx, producer, value);
  }
  const parts = expr.split(".");
  if (parts.length >= 3 && /^yandex_\w+$/.test(parts[0])) {
    const address = `${parts[0]}.${parts[1]}`;
    const resource = resourceAt(stack, address);
    if (resource === undefined) throw new Error(`${stackName} has no resource ${address}`);
    const attr = parts.slice(2).join(".").replace(/\[(\d+)\]/g, ".$1");
    if (attr === "id") return localId(stackName, address);
    // Locally a VM has one address: the frontend's public (NAT) address is its private one.
    if (parts[0] === "yandex_compute_instance" && /^network_interface\.0\.(nat_)?ip_address$/.test(attr)) {
      const ip = ctx.addresses[String(resource.name)];
      if (!ip) throw new Error(`no local node plays the VM ${String(resource.name)} (${address})`);
      return ip;
    }
    // A reserved public address: the local address that plays it (the balancer's), by its name.
    if (parts[0] === "yandex_vpc_address" && attr === "external_ipv4_address.0.address") {
      const ip = ctx.addresses[String(resource.name)];
      if (!ip) throw new Error(`no local address plays the reserved address ${String(resource.name)} (${address})`);
      return ip;
    }
  }
  throw new Error(`the local installation cannot resolve the Terraform reference \${${expr}} in stack ${stackName}; add a rule for it in local-cloud/terraform-refs.ts`);
}

/** Replaces every ${...} in value (not $${...}, which Terraform leaves as "${") and unescapes $${. */
export function resolveRefs(ctx: ResolveContext, stackName: string, value: string): string {
  return value.replace(REF, (_, expr: string) => resolveExpression(ctx, stackName, expr.trim())).replace(/\$\$\{/g, "${");
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/**
 * The template text of the HCL string literal that opens at src[start] ('"'): escapes
 * decoded, interpolations (${...}, which may hold quotes and braces) kept verbatim or,
 * with interpolation given, replaced by what it returns for each.
 */
export function hclStringLiteral(src: string, start: number, interpolation = (expr: string) => expr): { text: string; end: number } {
  if (src[start] !== '"') throw new Error(`no string literal at ${start}`);
  let text = "";
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i];
    if (c === '"') return { text, end: i };
    if (c === "\\") {
      const next = src[++i];
      if (next === "u") {
        text += String.fromCharCode(parseInt(src.slice(i + 1, i + 5), 16));
        i += 4;
      } else text += ESCAPES[next] ?? next;
    } else if (c === "$" && src[i + 1] === "{") {
      // Copy the interpolation up to its closing brace, skipping braces inside its strings.
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        if (src[j] === '"') j = hclStringLiteral(src, j).end;
        else if (src[j] === "{") depth++;
        else if (src[j] === "}" && --depth === 0) break;
      }
      text += interpolation(src.slice(i, j + 1));
      i = j;
    } else text += c;
  }
  throw new Error("unterminated string literal");
}

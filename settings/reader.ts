// Typed, checked access to the settings file's values, one reader method per kind of value.
import { isIpv4Cidr, isWholeNumberIn } from "./checks";
import { envNameOf } from "./env";
import { asText, getPath, isObject, Raw } from "./raw";
import { VmSize } from "./types";

/** Reads settings one by one, collecting every problem instead of stopping at the first. */
export class Reader {
  readonly problems: string[] = [];
  /** Every key read: what the settings file may hold (unknown keys are reported against it). */
  readonly known = new Set<string>();
  constructor(private readonly raw: Raw) {}

  private get(key: string): unknown {
    this.known.add(key);
    return getPath(this.raw, key);
  }

  private where(key: string): string {
    const env = envNameOf(key);
    return env ? `${key} (or env ${env})` : key;
  }

  str(key: string, opts: { def?: string; pattern?: RegExp; hint?: string } = {}): string {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") {
      if (opts.def !== undefined) return opts.def;
      this.problems.push(`${this.where(key)} is missing: ${opts.hint ?? "set it"}`);
      return "";
    }
    if (typeof v !== "string" && typeof v !== "number") {
      this.problems.push(`${this.where(key)} must be a string, got ${JSON.stringify(v)}`);
      return "";
    }
    const s = String(v).trim();
    if (opts.pattern && !opts.pattern.test(s)) {
      this.problems.push(`${this.where(key)} is malformed (${JSON.stringify(s)}): ${opts.hint ?? `it must match ${opts.pattern}`}`);
    }
    return s;
  }

  optStr(key: string): string | undefined {
    const v = this.get(key);
    return v === undefined || v === null || v === "" ? undefined : this.str(key);
  }

  /** A whole number; def undefined makes it required (hint says where to find it). */
  int(key: string, def: number | undefined, min: number, max: number, hint?: string): number {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") {
      if (def !== undefined) return def;
      this.problems.push(`${this.where(key)} is missing: ${hint ?? `set a whole number from ${min} to ${max}`}`);
      return min;
    }
    const n = typeof v === "number" ? v : /^-?\d+$/.test(asText(v).trim()) ? Number(v) : NaN;
    if (!isWholeNumberIn(n, min, max)) {
      this.problems.push(`${this.where(key)} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return def ?? min;
    }
    return n;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null || v === "") return def;
    if (typeof v === "boolean") return v;
    if (["true", "yes", "1", "on"].includes(asText(v).toLowerCase())) return true;
    if (["false", "no", "0", "off"].includes(asText(v).toLowerCase())) return false;
    this.problems.push(`${this.where(key)} must be true or false, got ${JSON.stringify(v)}`);
    return def;
  }

  cidr(key: string, def: string): string {
    const s = this.str(key, { def });
    if (s && !isIpv4Cidr(s)) this.problems.push(`${this.where(key)} must be an IPv4 CIDR such as ${def}, got ${JSON.stringify(s)}`);
    return s;
  }

  /** A non-empty list of CIDRs; def undefined makes it required (hint says how to find the value). */
  cidrs(key: string, def: string[] | undefined, hint?: string): string[] {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      this.problems.push(`${this.where(key)} is missing: ${hint ?? "list IPv4 CIDRs such as [203.0.113.0/24]"}`);
      return [];
    }
    // The environment gives a comma-separated string.
    const list = Array.isArray(v) ? v : asText(v).split(",").map((c) => c.trim());
    const bad = list.filter((c) => typeof c !== "string" || !isIpv4Cidr(c));
    if (bad.length > 0 || list.length === 0) {
      this.problems.push(`${this.where(key)} must be a non-empty list of IPv4 CIDRs such as [203.0.113.0/24], got ${JSON.stringify(v)}`);
      return def ?? [];
    }
    return list as string[];
  }

  /** A list of distinct names, each matching pattern (the environment gives a comma-separated string). */
  zones(key: string, opts: { def: string[]; pattern: RegExp; hint: string }): string[] {
    const v = this.get(key);
    if (v === undefined || v === null) return opts.def;
    const list = Array.isArray(v) ? v : asText(v).split(",").map((z) => z.trim());
    const bad = list.filter((z) => typeof z !== "string" || !opts.pattern.test(z));
    if (list.length === 0 || bad.length > 0 || new Set(list).size !== list.length) {
      this.problems.push(`${this.where(key)} must be a list of distinct zones (${opts.hint}), got ${JSON.stringify(v)}`);
      return opts.def;
    }
    return list as string[];
  }

  /** A mapping of Ansible variable names to values without braces (instance-group metadata reads them as placeholders). */
  ansibleVars(key: string): Record<string, unknown> {
    const v = this.get(key);
    if (v === undefined || v === null) return {};
    if (!isObject(v)) {
      this.problems.push(`${key} must be a mapping of Ansible variables (name: value), got ${JSON.stringify(v)}`);
      return {};
    }
    for (const [name, value] of Object.entries(v)) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) this.problems.push(`${key}.${name} is not an Ansible variable name (lowercase letters, digits, _)`);
      const strings = JSON.stringify(value).match(/"(?:[^"\\]|\\.)*"/g) ?? [];
      if (strings.some((str) => /[{}]/.test(str))) this.problems.push(`${key}.${name} must not hold braces: Jinja and instance-group placeholders would read them`);
    }
    return v;
  }

  size(key: string, def: VmSize): VmSize {
    const v = this.get(key);
    if (v !== undefined && v !== null && !isObject(v)) {
      this.problems.push(`${key} must be a mapping with cores, memory_gb, core_fraction, disk_gb, disk_type`);
      return def;
    }
    const coreFraction = this.int(`${key}.core_fraction`, def.coreFraction, 5, 100);
    return {
      cores: this.int(`${key}.cores`, def.cores, 2, 64),
      memoryGb: this.int(`${key}.memory_gb`, def.memoryGb, 1, 256),
      coreFraction,
      diskGb: this.int(`${key}.disk_gb`, def.diskGb, 10, 4096),
      diskType: this.str(`${key}.disk_type`, {
        def: def.diskType,
        pattern: /^network-(hdd|ssd|ssd-nonreplicated|ssd-io-m3)$/,
        hint: "use network-hdd or network-ssd",
      }),
    };
  }
}

// Base64 content embedded in user-data (cloud-init write_files): the Ansible
// tarball and scripts. Decoded, a review can show which files inside changed
// instead of two unreadable lines.
import * as zlib from "node:zlib";

export type Embedded = { readonly kind: "archive"; readonly files: ReadonlyMap<string, Buffer> } | { readonly kind: "text"; readonly text: string };

const BASE64_LINE = /^\s*(?:content:\s*)?([A-Za-z0-9+/]{64,}={0,2})\s*$/;
/** Text: valid UTF-8 without control characters other than tab, newline, carriage return. */
export const isText = (b: Buffer): boolean => b.every((c) => c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) && !b.toString("utf8").includes("\ufffd");

/** The files of a POSIX (ustar/GNU) tar archive; undefined when it is not one. */
export function untar(raw: Buffer): Map<string, Buffer> | undefined {
  const files = new Map<string, Buffer>();
  let longName: string | undefined;
  for (let off = 0; off + 512 <= raw.length; ) {
    const header = raw.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    if (!header.subarray(257, 262).toString("latin1").startsWith("ustar")) return undefined;
    const field = (from: number, to: number) => header.subarray(from, to).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 136).trim() || "0", 8);
    const type = String.fromCharCode(header[156]);
    const body = raw.subarray(off + 512, off + 512 + size);
    const prefix = field(345, 500);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === "L") longName = body.toString("utf8").replace(/\0.*$/s, "");
    else if (type === "0" || type === "\0") files.set(name.replace(/^\.\//, ""), body);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** What a line of base64 content holds: a gzipped tar archive, text, or nothing readable. */
export function decodeEmbedded(line: string): Embedded | undefined {
  const m = BASE64_LINE.exec(line);
  if (!m) return undefined;
  const data = Buffer.from(m[1], "base64");
  if (data[0] === 0x1f && data[1] === 0x8b) {
    try {
      const files = untar(zlib.gunzipSync(data));
      return files ? { kind: "archive", files } : undefined;
    } catch {
      return undefined;
    }
  }
  return isText(data) ? { kind: "text", text: data.toString("utf8") } : undefined;
}

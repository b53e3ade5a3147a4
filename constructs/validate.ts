// Prop checks shared by the constructs: each message says what to change.
import { isIpv4Cidr, isWholeNumberIn } from "../settings/checks";

export function assertName(construct: string, prop: string, value: string): void {
  if (!/^[a-z][a-z0-9-]{1,50}[a-z0-9]$/.test(value)) {
    throw new Error(`${construct}: ${prop} "${value}" is not a valid resource name; use 3-52 lowercase letters, digits and hyphens, starting with a letter`);
  }
}

export function assertCidr(construct: string, prop: string, value: string): void {
  if (!isIpv4Cidr(value)) {
    throw new Error(`${construct}: ${prop} "${value}" is not an IPv4 CIDR; write it like 10.10.1.0/24`);
  }
}

export function assertPort(construct: string, prop: string, value: number): void {
  if (!isWholeNumberIn(value, 1, 65535)) {
    throw new Error(`${construct}: ${prop} ${value} is not a TCP port; use a whole number from 1 to 65535`);
  }
}

export function assertRange(construct: string, prop: string, value: number, min: number, max: number): void {
  if (!isWholeNumberIn(value, min, max)) {
    throw new Error(`${construct}: ${prop} is ${value}; use a whole number from ${min} to ${max}`);
  }
}

/** An HTTP health check's path: absolute, as the cloud's health checks take it. */
export function assertHttpPath(construct: string, prop: string, value: string): void {
  if (!value.startsWith("/")) throw new Error(`${construct}: ${prop} "${value}" must start with "/"`);
}

/** An IPv4 CIDR as its first address (a number) and its size; the address's host bits are dropped. */
function cidrRange(construct: string, cidr: string): { start: number; size: number; bits: number } {
  assertCidr(construct, "cidr", cidr);
  const [addr, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const value = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return { start: value - (value % size), size, bits: Number(bits) };
}

const dotted = (value: number): string => [24, 16, 8, 0].map((shift) => ((value >>> 0) >>> shift) & 255).join(".");

/** The n-th address of an IPv4 CIDR (like Terraform's cidrhost), e.g. ("10.10.1.0/24", 10) -> "10.10.1.10". */
export function hostInCidr(cidr: string, n: number): string {
  const { start, size } = cidrRange("hostInCidr", cidr);
  if (!Number.isInteger(n) || n < 1 || n >= size - 1) {
    throw new Error(`hostInCidr: ${cidr} has no host number ${n}; use a subnet of at least ${n + 2} addresses (a /28 or larger)`);
  }
  return dotted(start + n);
}

/** cidr cut into the smallest power of two of equal subnets that gives count of them (like Terraform's cidrsubnet). */
export function splitCidr(cidr: string, count: number): string[] {
  const { start, bits } = cidrRange("splitCidr", cidr);
  const prefix = bits + Math.ceil(Math.log2(Math.max(count, 1)));
  if (prefix > 29) throw new Error(`splitCidr: ${cidr} is too small for ${count} subnets of at least 8 addresses; use a larger range`);
  const size = 2 ** (32 - prefix);
  return Array.from({ length: count }, (_, i) => `${dotted(start + i * size)}/${prefix}`);
}

// Value checks shared by the settings reader and the constructs' props, so both
// accept exactly the same values.
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** IPv4 CIDR notation such as 10.10.1.0/24. */
export function isIpv4Cidr(s: string): boolean {
  const m = CIDR.exec(s);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** A whole number from min to max, both included. */
export const isWholeNumberIn = (n: number, min: number, max: number): boolean => Number.isInteger(n) && n >= min && n <= max;

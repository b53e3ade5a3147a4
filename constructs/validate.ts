// Prop checks shared by the constructs: each message says what to change.

export function assertName(construct: string, prop: string, value: string): void {
  if (!/^[a-z][a-z0-9-]{1,50}[a-z0-9]$/.test(value)) {
    throw new Error(`${construct}: ${prop} "${value}" is not a valid resource name; use 3-52 lowercase letters, digits and hyphens, starting with a letter`);
  }
}

export function assertCidr(construct: string, prop: string, value: string): void {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new Error(`${construct}: ${prop} "${value}" is not an IPv4 CIDR; write it like 10.10.1.0/24`);
  }
}

export function assertPort(construct: string, prop: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${construct}: ${prop} ${value} is not a TCP port; use a whole number from 1 to 65535`);
  }
}

export function assertRange(construct: string, prop: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${construct}: ${prop} is ${value}; use a whole number from ${min} to ${max}`);
  }
}

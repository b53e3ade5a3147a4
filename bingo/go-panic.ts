// Go-runtime-shaped failures: the real binary is a Go program, and operators
// (and the roles' checks) recognise it by these exact first lines.

/** Print a Go-style panic with a goroutine trace to stderr and exit 2, as the Go runtime does. */
export function goPanic(message: string, frame: string): never {
  const trace = [
    `panic: ${message}`,
    "",
    "goroutine 1 [running]:",
    `${frame}(...)`,
    `\t/build/internal/${frame.split(".")[0]}/${frame.split(".")[0]}.go:42 +0x1a5`,
    "main.main()",
    "\t/build/cmd/bingo/main.go:12 +0x25",
    "",
  ].join("\n");
  process.stderr.write(trace);
  process.exit(2);
}

/** Print a cobra-style command error (`Error: ...`) and exit 1. */
export function cobraError(message: string): never {
  process.stderr.write(`Error: ${message}\n`);
  process.exit(1);
}

// How the local-cloud programs run from the command line: a failure prints one line
// and exits 1 instead of a stack trace.
export function runCli(main: (argv: string[]) => void | Promise<void>): void {
  const fail = (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  };
  try {
    Promise.resolve(main(process.argv.slice(2))).catch(fail);
  } catch (err) {
    fail(err);
  }
}

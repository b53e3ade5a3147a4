// Entry point of the bingo stand-in: the real binary's cobra command line.
import { COMMANDS, prepareDbCommand, printCurrentConfig, printDefaultConfig, runServer, SHELLS, Shell } from "./cli/commands";
import { commandHelp, completionHelp, rootHelp, unknownCommand, unknownFlag } from "./cli/help";
import { completionScript } from "./cli/completion";
import { BUILD_STAMP } from "./version";

export const ROOT_REFUSAL = "Didn't your mom teach you not to run anything incomprehensible from root?";

const isHelpFlag = (arg: string | undefined) => arg === "-h" || arg === "--help";
const isOtherFlag = (arg: string) => arg.startsWith("-") && arg !== "-" && arg !== "--" && !isHelpFlag(arg);

/** cobra rejects any flag a command does not define, printing the usage with the error. */
function rejectUnknownFlags(args: string[], command: string): void {
  const flag = args.find(isOtherFlag);
  if (flag === undefined) return;
  process.stderr.write(unknownFlag(flag, command));
  process.exit(1);
}

/** The user arguments: as a single executable, argv[1] repeats the invoked path, like a script path. */
function userArgs(): string[] {
  return process.argv.slice(2);
}

function completion(args: string[]): void {
  const shell = args[0];
  if (shell === undefined || isHelpFlag(shell)) {
    process.stdout.write(completionHelp());
    return;
  }
  if (!SHELLS.includes(shell as Shell)) {
    process.stderr.write(unknownCommand(shell, "bingo completion"));
    process.exit(1);
  }
  process.stdout.write(completionScript(shell as Shell));
}

async function main(): Promise<void> {
  if (process.getuid?.() === 0) {
    process.stdout.write(`${ROOT_REFUSAL}\n`);
    process.exit(1);
  }
  const args = userArgs();
  const [command, ...rest] = args;
  if (command !== undefined && isOtherFlag(command)) rejectUnknownFlags(args, "bingo");
  if (command === undefined) {
    process.stdout.write("Hello world\n");
    return;
  }
  if (isHelpFlag(command)) {
    process.stdout.write(rootHelp());
    return;
  }
  if (command === "help") {
    process.stdout.write(rest[0] ? commandHelp(rest[0]) : rootHelp());
    return;
  }
  if (!COMMANDS.some((c) => c.name === command)) {
    process.stderr.write(unknownCommand(command));
    process.exit(1);
  }
  if (command !== "completion") rejectUnknownFlags(rest, command);
  if (rest.some(isHelpFlag) && command !== "completion") {
    process.stdout.write(commandHelp(command));
    return;
  }
  switch (command) {
    case "completion":
      return completion(rest);
    case "version":
      process.stdout.write(`${BUILD_STAMP}\n`);
      return;
    case "print_default_config":
      return printDefaultConfig();
    case "print_current_config":
      return printCurrentConfig();
    case "prepare_db":
      return prepareDbCommand();
    case "run_server":
      return runServer();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`Error: ${err.message}\n`);
  process.exit(1);
});

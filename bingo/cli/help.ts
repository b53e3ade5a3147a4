// Help and usage text in cobra's layout, which operators of the real binary know.
import { COMMANDS, SHELLS } from "./commands";

const pad = (text: string, width: number) => text + " ".repeat(Math.max(1, width - text.length + 1));

export function rootHelp(): string {
  const width = Math.max(11, ...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${pad(c.name, width)}${c.short}`);
  return [
    "Usage:",
    "  bingo [flags]",
    "  bingo [command]",
    "",
    "Available Commands:",
    ...lines,
    "",
    "Flags:",
    "  -h, --help   help for bingo",
    "",
    'Use "bingo [command] --help" for more information about a command.',
    "",
  ].join("\n");
}

/** The usage block alone (what cobra prints after an error), without the one-line description. */
export function commandUsage(name: string): string {
  if (name === "bingo") return rootHelp();
  if (name === "completion") return completionHelp().split("\n").slice(3).join("\n");
  return ["Usage:", `  bingo ${name} [flags]`, "", "Flags:", `  -h, --help   help for ${name}`, ""].join("\n");
}

export function commandHelp(name: string): string {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return `Unknown help topic [\`${name}\`]\n${rootHelp()}`;
  if (name === "completion") return completionHelp();
  return `${command.short}\n\n${commandUsage(name)}`;
}

export function completionHelp(): string {
  const descriptions: Record<string, string> = {
    bash: "Generate the autocompletion script for bash",
    fish: "Generate the autocompletion script for fish",
    powershell: "Generate the autocompletion script for powershell",
    zsh: "Generate the autocompletion script for zsh",
  };
  return [
    "Generate the autocompletion script for bingo for the specified shell.",
    "See each sub-command's help for details on how to use the generated script.",
    "",
    "Usage:",
    "  bingo completion [command]",
    "",
    "Available Commands:",
    ...SHELLS.map((s) => `  ${pad(s, 11)}${descriptions[s]}`),
    "",
    "Flags:",
    "  -h, --help   help for completion",
    "",
    'Use "bingo completion [command] --help" for more information about a command.',
    "",
  ].join("\n");
}

/** cobra's answer to a flag the command does not define; the real binary has no flags but --help. */
export function unknownFlag(flag: string, command: string): string {
  const what = flag.startsWith("--") ? `unknown flag: ${flag.split("=")[0]}` : `unknown shorthand flag: '${flag.charAt(1)}' in ${flag}`;
  return `Error: ${what}\n${commandUsage(command)}\n`;
}

export function unknownCommand(name: string, parent = "bingo"): string {
  return `Error: unknown command "${name}" for "${parent}"\nRun '${parent} --help' for usage.\n`;
}

// The command table of the real binary's cobra CLI, with the one-line
// descriptions its help prints.
export interface CommandInfo {
  name: string;
  short: string;
}

export const COMMANDS: CommandInfo[] = [
  { name: "completion", short: "Generate the autocompletion script for the specified shell" },
  { name: "help", short: "Help about any command" },
  { name: "prepare_db", short: "Creates the tables and fills them with the test data" },
  { name: "print_current_config", short: "Prints the config read from /opt/bingo/config.yaml" },
  { name: "print_default_config", short: "Prints the default config" },
  { name: "run_server", short: "Starts the HTTP server" },
  { name: "version", short: "Prints the build version" },
];

export const SHELLS = ["bash", "fish", "powershell", "zsh"] as const;
export type Shell = (typeof SHELLS)[number];

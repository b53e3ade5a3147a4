// `bingo completion <shell>`: a script that completes the subcommand names.
import { COMMANDS, Shell } from "./commands";

const names = COMMANDS.map((c) => c.name);

export function completionScript(shell: Shell): string {
  const words = names.join(" ");
  switch (shell) {
    case "bash":
      return [
        "# bash completion for bingo",
        "_bingo_complete() {",
        '  local current="${COMP_WORDS[COMP_CWORD]}"',
        "  if [[ $COMP_CWORD -eq 1 ]]; then",
        `    COMPREPLY=( $(compgen -W "${words}" -- "$current") )`,
        "  elif [[ ${COMP_WORDS[1]} == completion && $COMP_CWORD -eq 2 ]]; then",
        '    COMPREPLY=( $(compgen -W "bash fish powershell zsh" -- "$current") )',
        "  fi",
        "}",
        "complete -F _bingo_complete bingo",
        "",
      ].join("\n");
    case "zsh":
      return [
        "#compdef bingo",
        "# zsh completion for bingo",
        "_bingo() {",
        "  local -a commands",
        `  commands=(${COMMANDS.map((c) => `'${c.name}:${c.short}'`).join(" ")})`,
        "  if (( CURRENT == 2 )); then",
        "    _describe 'command' commands",
        "  elif [[ ${words[2]} == completion ]]; then",
        "    _values 'shell' bash fish powershell zsh",
        "  fi",
        "}",
        'compdef _bingo bingo',
        "",
      ].join("\n");
    case "fish":
      return [
        "# fish completion for bingo",
        "complete -c bingo -f",
        ...COMMANDS.map((c) => `complete -c bingo -n '__fish_use_subcommand' -a ${c.name} -d '${c.short}'`),
        "complete -c bingo -n '__fish_seen_subcommand_from completion' -a 'bash fish powershell zsh'",
        "",
      ].join("\n");
    case "powershell":
      return [
        "# powershell completion for bingo",
        "Register-ArgumentCompleter -CommandName 'bingo' -ScriptBlock {",
        "    param($wordToComplete, $commandAst, $cursorPosition)",
        `    @(${names.map((n) => `'${n}'`).join(", ")}) |`,
        "        Where-Object { $_ -like \"$wordToComplete*\" } |",
        "        ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }",
        "}",
        "",
      ].join("\n");
  }
}

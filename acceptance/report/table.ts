// The verdict table printed at the end of a run.
import type { CheckResult } from "../checks/result.js";

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

export function renderTable(results: readonly CheckResult[]): string {
  const widths = [44, 7, 70, 40];
  const header = ["check", "verdict", "figure", "requirement"];
  const rule = widths.map((w) => "-".repeat(w)).join("-+-");
  const row = (cells: string[]) => {
    const wrapped = cells.map((c, i) => wrap(c, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, l) => wrapped.map((w, i) => (w[l] ?? "").padEnd(widths[i])).join(" | ").trimEnd()).join("\n");
  };
  const body = results.map((r) => row([r.check, r.verdict, r.figure + (r.details ? ` [${r.details}]` : ""), r.requirement]));
  const passed = results.filter((r) => r.verdict === "PASS").length;
  const missed = results.filter((r) => r.verdict === "MISS").length;
  return [row(header), rule, ...body, rule, `${passed}/${results.length} checks passed${missed ? `, ${missed} goal(s) of our own missed (MISS)` : ""}`].join("\n");
}

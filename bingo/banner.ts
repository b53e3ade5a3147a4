// The stdout blocks whose `code:` lines the customer's checks look for.
export function printCodeBlock(title: string, code: string): void {
  const rule = "-".repeat(60);
  process.stdout.write(`${rule}\n${title}\n\ncode: ${code}\n${rule}\n`);
}

// Every problem with the settings at once, each naming the setting and the fix.
export class SettingsError extends Error {
  constructor(
    readonly problems: readonly string[],
    source: string,
  ) {
    super(
      `invalid cloud settings (${source}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\n  Fix them in settings.yaml (copy settings.example.yaml) or set the environment variable named.",
    );
    this.name = "SettingsError";
  }
}

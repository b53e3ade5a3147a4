// Loads the settings file (settings.yaml, BINGO_SETTINGS or the example) from disk.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { hasCloudCredentials } from "./env";
import { parseSettings } from "./parse";
import { isObject, Raw } from "./raw";
import { SettingsError } from "./settings-error";
import { Settings } from "./types";

/**
 * Loads settings.yaml (or BINGO_SETTINGS) with environment overrides. A missing
 * file is fine when the environment supplies the required values. The database
 * password is no setting: Lockbox generates it (constructs/vm-secrets.ts).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, root = path.resolve(__dirname, "..")): Settings {
  let file = path.resolve(root, env.BINGO_SETTINGS ?? "settings.yaml");
  // A clean clone has no settings.yaml: synth and validate then use the example,
  // which can be checked but not deployed (scripts/cloud.sh refuses it).
  const example = !env.BINGO_SETTINGS && !fs.existsSync(file) && !hasCloudCredentials(env);
  if (example) {
    file = path.join(root, "settings.example.yaml");
    console.error("note: no settings.yaml: using settings.example.yaml (fine for synth and validate, not for deploy)");
  }
  let raw: Raw = {};
  if (fs.existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new SettingsError([`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`], file);
    }
    if (parsed !== null && parsed !== undefined && !isObject(parsed)) {
      throw new SettingsError([`${file} must hold a YAML mapping (key: value), not ${typeof parsed}`], file);
    }
    raw = (parsed as Raw | null) ?? {};
  }
  const source = fs.existsSync(file) ? `${path.relative(root, file)} + environment` : `environment only: no ${path.relative(root, file)}`;
  return parseSettings({ raw, env, source, root });
}

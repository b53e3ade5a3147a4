// The cdktf app: reads the settings and synthesizes the cloud stacks into cdktf.out/.
// Run through `make synth` (scripts/synth.sh), or `cdktf synth` with cdktf.json.
import { App } from "cdktf";
import { loadSettings, SettingsError } from "./settings";
import { buildStacks } from "./stacks";

try {
  const settings = loadSettings();
  const app = new App();
  buildStacks(app, settings);
  app.synth();
} catch (err) {
  if (err instanceof SettingsError) {
    console.error(`error: ${err.message}`);
    process.exit(1);
  }
  throw err;
}

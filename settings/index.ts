// The typed settings of the cloud stacks: one YAML file (settings.yaml, see
// settings.example.yaml) plus environment overrides. Every problem is reported
// at once, each naming the setting, what was wrong and how to fix it.
export type { Settings, VmSize } from "./types";
export { SettingsError } from "./settings-error";
export { ENV_OVERRIDES, hasCloudCredentials } from "./env";
export { appPorts, HEALTH_CHECK_PORT_MAX, MAX_APP_PROCESSES, parseSettings } from "./parse";
export type { SettingsInput } from "./parse";
export { loadSettings } from "./load";
export { privateZones } from "./zones";

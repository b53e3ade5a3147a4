// What each PROFILE runs. Rates and durations come from requirements.md: steady 60 RPS,
// peak 120 RPS for a minute; CI keeps the same shape, shorter.
import type { DrillTiming } from "./drills/drill.js";
import { DRILL_NAMES, type DrillName } from "./drills/plans.js";

export interface LoadPhase {
  name: string;
  rate: number;
  durationS: number;
}

export interface Profile {
  name: string;
  phases: LoadPhase[];
  drills: readonly DrillName[];
  drillTiming: DrillTiming;
}

export const PROFILES: Record<string, Profile> = {
  full: {
    name: "full",
    phases: [
      { name: "steady", rate: 60, durationS: 120 },
      { name: "peak", rate: 120, durationS: 60 },
    ],
    drills: DRILL_NAMES,
    drillTiming: { rate: 120, durationS: 60, breakAtS: 10 },
  },
  smoke: {
    name: "smoke",
    phases: [
      { name: "steady", rate: 60, durationS: 20 },
      { name: "peak", rate: 120, durationS: 20 },
    ],
    drills: [],
    drillTiming: { rate: 120, durationS: 30, breakAtS: 5 },
  },
  ci: {
    name: "ci",
    phases: [
      { name: "steady", rate: 60, durationS: 20 },
      { name: "peak", rate: 120, durationS: 20 },
    ],
    drills: ["container-kill"],
    drillTiming: { rate: 120, durationS: 30, breakAtS: 5 },
  },
};

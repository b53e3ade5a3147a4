// What each PROFILE runs. Rates and durations come from requirements.md: steady 60 RPS,
// peak 120 RPS for a minute, and during a drill the peak while both nodes are up, the
// steady rate while one is down; CI keeps the same shape, shorter.
import type { CapacityPlan } from "./checks/capacity.js";
import type { OverheadPlan } from "./checks/frontend-overhead.js";
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
  /** The reads by id through the frontend and straight to an app node, after the load phases. */
  overhead?: OverheadPlan;
  /** The uncached mix raised step by step, after the load phases, before the drills. */
  capacity?: CapacityPlan;
  drills: readonly DrillName[];
  drillTiming: DrillTiming;
}

/**
 * The profile named by PROFILE, with only the drills named by DRILLS (comma-separated) when
 * set, and the rate offered while a drill's part is broken set by BREAK_RATE: the
 * requirement lets it fall to the steady rate, BREAK_RATE=120 holds the peak through it.
 */
export function chooseProfile(name: string | undefined, drillList: string | undefined, breakRate?: string): Profile {
  const profile = PROFILES[name ?? "full"];
  if (!profile) throw new Error(`unknown PROFILE '${name}': use one of ${Object.keys(PROFILES).join(", ")}`);
  let chosen = profile;
  if (drillList) {
    const names = drillList.split(",").map((d) => d.trim()).filter(Boolean);
    const unknown = names.filter((d) => !(DRILL_NAMES as readonly string[]).includes(d));
    if (unknown.length) throw new Error(`unknown drill '${unknown.join("', '")}' in DRILLS: use some of ${DRILL_NAMES.join(", ")}`);
    chosen = { ...chosen, drills: names as DrillName[] };
  }
  if (breakRate) {
    const rate = Number(breakRate);
    if (!Number.isInteger(rate) || rate <= 0) throw new Error(`BREAK_RATE '${breakRate}' is not a whole number of requests per second: use e.g. BREAK_RATE=120`);
    chosen = { ...chosen, drillTiming: { ...chosen.drillTiming, steadyRate: rate } };
  }
  return chosen;
}

/** Longest wait for a healthy installation before a load phase or a drill. */
export const HEALTH_WAIT_S = 90;

export const PROFILES: Record<string, Profile> = {
  full: {
    name: "full",
    phases: [
      { name: "steady", rate: 60, durationS: 120 },
      { name: "peak", rate: 120, durationS: 60 },
    ],
    overhead: { rate: 60, durationS: 30, rounds: 2 },
    // From the peak up (two app nodes, two processes each at 100/s: a ceiling of 400 RPS),
    // then the gap below the first step that failed halved down to 10 RPS.
    capacity: { fromRate: 120, stepRate: 40, toRate: 400, stepS: 20, finestStepRate: 10 },
    drills: DRILL_NAMES,
    drillTiming: { peakRate: 120, steadyRate: 60, breakAtS: 10, settleS: 5, peakAfterS: 30, dbHoldS: 30 },
  },
  smoke: {
    name: "smoke",
    phases: [
      { name: "steady", rate: 60, durationS: 20 },
      { name: "peak", rate: 120, durationS: 20 },
    ],
    drills: [],
    drillTiming: { peakRate: 120, steadyRate: 60, breakAtS: 5, settleS: 5, peakAfterS: 10, dbHoldS: 10 },
  },
  ci: {
    name: "ci",
    phases: [
      { name: "steady", rate: 60, durationS: 20 },
      { name: "peak", rate: 120, durationS: 20 },
    ],
    // instance-recreate: the cloud's route end to end (a blank node configures itself from its user-data);
    // nginx-restart and frontend-kill: the balancer and the frontends' drain; db-primary-kill: the
    // DB cluster's failover and its alert (the leader stays down 10 s, longer only until the alert fired).
    drills: ["container-kill", "db-primary-kill", "nginx-restart", "frontend-kill", "instance-recreate"],
    drillTiming: { peakRate: 120, steadyRate: 60, breakAtS: 5, settleS: 5, peakAfterS: 10, dbHoldS: 10 },
  },
};

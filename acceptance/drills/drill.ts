// A failover drill: break one part of the installation while the peak load runs,
// then measure what users saw (failed requests), how long until the broken part
// served again, and whether any initial row was lost.
import { setTimeout as sleep } from "node:timers/promises";
import { runOpenLoad } from "../driver/open-load.js";
import { SampleLog } from "../driver/samples.js";
import type { LoadContext } from "../load/context.js";
import { mixJob } from "../load/mix.js";
import type { Database, MaxIds } from "../target/database.js";
import type { InventoryNode } from "../target/inventory.js";
import { streamFrom } from "../target/ssh.js";
import { pct, verdict, type CheckResult } from "../checks/result.js";

export interface DrillPlan {
  name: string;
  /** What is broken, for the report. */
  what: string;
  /** Where the health probe runs, and the shell command that prints "pong" when healthy. */
  probeOn: InventoryNode;
  probeCommand: string;
  breakIt(): Promise<void>;
  /** For breaks nothing heals by itself here (a stopped local node): bring it back. */
  restore?(): Promise<void>;
  restoreAfterS?: number;
}

export interface DrillTiming {
  rate: number;
  durationS: number;
  breakAtS: number;
}

export interface Marker {
  atMs: number;
  label: string;
}

export interface DrillOutcome {
  name: string;
  what: string;
  markers: Marker[];
  requests: number;
  failed: number;
  recoverySeconds: number;
  /** From the break, or from the restore when the drill restores by hand. */
  recoveryFrom: "break" | "restore";
  rowsKept: boolean;
  result: CheckResult;
}

const PROBE_INTERVAL_S = 0.5;
const RECOVERY_LIMIT_S = 60;
/** After the load ends, wait at most this long for a recovery still under way. */
const EXTRA_WAIT_S = 90;

/** When the probe last turned healthy after fromMs (NaN if it never did). */
export function recoveredAt(probe: { atMs: number; ok: boolean }[], fromMs: number): number {
  const after = probe.filter((p) => p.atMs >= fromMs);
  let lastBad = -1;
  after.forEach((p, i) => {
    if (!p.ok) lastBad = i;
  });
  const firstGood = after.slice(lastBad + 1).find((p) => p.ok);
  return firstGood ? firstGood.atMs : Number.NaN;
}

export async function runDrill(ctx: LoadContext, db: Database, ranges: MaxIds, plan: DrillPlan, timing: DrillTiming): Promise<DrillOutcome> {
  const phase = `drill:${plan.name}`;
  const countsBefore = await db.initialRowCounts(ranges);
  const probe: { atMs: number; ok: boolean }[] = [];
  const loops = Math.ceil((timing.durationS + EXTRA_WAIT_S + 30) / PROBE_INTERVAL_S);
  const probeProcess = streamFrom(
    plan.probeOn,
    `for i in $(seq 1 ${loops}); do r=$( { ${plan.probeCommand}; } 2>/dev/null || true); echo "p:$r"; sleep ${PROBE_INTERVAL_S}; done`,
    (line) => {
      if (line.startsWith("p:")) probe.push({ atMs: performance.now() - ctx.originMs, ok: line.slice(2).trim() === "pong" });
    },
  );
  const markers: Marker[] = [];
  try {
    const load = runOpenLoad({
      rate: timing.rate,
      durationS: timing.durationS,
      maxInFlight: timing.rate * 30,
      job: mixJob(ctx, phase),
      onShed: (due) => ctx.log.add({ endpoint: "shed", phase, startMs: due - ctx.originMs, latencyMs: 0, status: 0, ok: false, error: "shed" }),
    });
    await sleep(timing.breakAtS * 1000);
    const breakAt = performance.now() - ctx.originMs;
    markers.push({ atMs: breakAt, label: `${plan.name}: break` });
    await plan.breakIt();
    let from = breakAt;
    if (plan.restore) {
      await sleep((plan.restoreAfterS ?? 20) * 1000);
      from = performance.now() - ctx.originMs;
      markers.push({ atMs: from, label: `${plan.name}: restore` });
      await plan.restore();
    }
    await load;
    const deadline = performance.now() + EXTRA_WAIT_S * 1000;
    while (Number.isNaN(recoveredAt(probe, from)) && performance.now() < deadline) await sleep(500);
    const healthyAt = recoveredAt(probe, from);
    if (!Number.isNaN(healthyAt)) markers.push({ atMs: healthyAt, label: `${plan.name}: serving again` });
    const recoverySeconds = (healthyAt - from) / 1000;

    const countsAfter = await db.initialRowCounts(ranges);
    const rowsKept = Object.keys(countsBefore).every((t) => countsBefore[t] === countsAfter[t]);
    const samples = ctx.log.select((s) => s.phase === phase);
    const summary = SampleLog.summarize(phase, samples);
    const ok = summary.errorRatio <= 0.01 && recoverySeconds < RECOVERY_LIMIT_S && rowsKept;
    const failures = Object.entries(summary.failures).map(([k, n]) => `${k} x${n}`).join(", ");
    return {
      name: plan.name,
      what: plan.what,
      markers,
      requests: summary.count,
      failed: summary.errors,
      recoverySeconds,
      recoveryFrom: plan.restore ? "restore" : "break",
      rowsKept,
      result: {
        check: `fault tolerance: ${plan.what}`,
        verdict: verdict(ok),
        figure:
          `failed ${summary.errors}/${summary.count} (${pct(summary.errorRatio)}), ` +
          `serving again ${Number.isFinite(recoverySeconds) ? recoverySeconds.toFixed(1) : "never"} s after the ${plan.restore ? "restore" : "break"}, ` +
          `p90 ${Math.round(summary.p90)} ms, initial rows ${rowsKept ? "kept" : "LOST"}`,
        requirement: `errors <= 1%, serving again < ${RECOVERY_LIMIT_S} s, no row lost`,
        details: failures ? `failures: ${failures}` : undefined,
      },
    };
  } finally {
    probeProcess.kill("SIGTERM");
  }
}

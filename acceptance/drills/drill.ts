// A failover drill: break one part of the installation under load, then measure what
// users saw (failed requests), how long until the broken part served again, and whether
// any initial row was lost. The offered rate follows requirement 1 (see DrillTiming).
import { setTimeout as sleep } from "node:timers/promises";
import { runOpenLoad, type Job } from "../driver/open-load.js";
import { RateSchedule } from "../driver/schedule.js";
import { SampleLog, type Sample } from "../driver/samples.js";
import type { LoadContext } from "../load/context.js";
import { mixJob } from "../load/mix.js";
import type { Database, MaxIds } from "../target/database.js";
import type { InventoryNode } from "../target/inventory.js";
import { streamFrom } from "../target/ssh.js";
import { pct, verdict, type CheckResult } from "../checks/result.js";
import { shellQuote } from "../target/shell-words.js";
import { waitUntil, type HealthTargets } from "./health.js";
import { readFailedAccesses } from "./access-log.js";
import { classCounts, explainFailures, failureLine, type ExplainedFailure } from "./failed-requests.js";

export interface DrillPlan {
  name: string;
  /** What is broken, for the report. */
  what: string;
  /** Where the health probe runs, and the shell command that prints "pong" when healthy. */
  probeOn: InventoryNode;
  probeCommand: string;
  /** Whether the probe's output (one line) means healthy. @default the line is "pong" */
  probeOk?(output: string): boolean;
  breakIt(): Promise<void>;
  /** The app node this drill breaks, if any: the others are expected to stay up. */
  breaks?: string;
  /** For breaks nothing heals by itself here (a stopped local node): bring it back. */
  restore?(): Promise<void>;
  restoreAfterS?: number;
  /**
   * After restoreAfterS, keep the part broken until check() is true (asked every 3 s),
   * at most atMostS seconds from the break (e.g. until an alert about it fired).
   */
  holdUntil?: { check(breakEpochMs: number): Promise<boolean>; atMostS: number };
  /** After the drill: waits (bounded) for what the break took away; false if it did not come back. */
  afterwards?(): Promise<boolean>;
  afterwardsWhat?: string;
  /** Seconds to wait for the broken part to serve again. @default 90 */
  recoveryWaitS?: number;
  /** Serving again within this many seconds passes. @default 60 (requirement 1) */
  recoveryLimitS?: number;
  /** What serving again means for this drill, for the report. @default "serving again" */
  recoveryWhat?: string;
  /** The load's job. @default the mix of requirements.md */
  loadJob?(ctx: LoadContext, phase: string): Job;
  /**
   * Failed requests are listed and classified but not judged against requirement 3's
   * error budget, for this reason (the requirement column says it). @default judged
   */
  errorsNotJudged?: string;
  /** After the load: the drill's own figures and verdicts (the DB drills': writes back, acknowledged writes, an alert). */
  judge?(ctx: LoadContext, moments: DrillMoments, samples: readonly Sample[]): Promise<DrillJudgement>;
  /** Every request that starts this many seconds after the break must get an answer (none: not judged). */
  answeringLimitS?: number;
  /** After the drill: how the recovery's time divides, for the report (breakAtMs: epoch ms of the break). */
  phases?(breakAtMs: number): Promise<string>;
}

/** The moments of a drill, in ms since the suite's origin and (epoch) wall-clock ms. */
export interface DrillMoments {
  breakAtMs: number;
  breakEpochMs: number;
  /** When the drill restored the broken part (drills that restore by hand). */
  restoreAtMs?: number;
  restoreEpochMs?: number;
  /** When the broken part served again (NaN: it did not). */
  servingAgainMs: number;
}

/** What a drill judges beyond the failed requests, the recovery and the initial rows. */
export interface DrillJudgement {
  ok: boolean;
  /** Appended to the drill's figure. */
  figure: string;
  /** Appended to the drill's requirement. */
  requirement: string;
  details?: string[];
  /** Rows of their own (an alert check). */
  more?: CheckResult[];
}

/**
 * A drill whose target is known only right before it runs: the DB cluster's leader
 * moves (a drill may move it), so the node it breaks is looked up then.
 */
export interface DeferredDrill {
  name: string;
  /** What is broken, for the report, before the target is known. */
  what: string;
  /** Looks at the installation and returns the plan; throws (saying why) when the drill cannot run. */
  prepare(): Promise<DrillPlan>;
}

export type Drill = DrillPlan | DeferredDrill;

/** The plan of a drill, its target looked up now if it is deferred. */
export function planOf(drill: Drill): Promise<DrillPlan> {
  return "prepare" in drill ? drill.prepare() : Promise.resolve(drill);
}

/**
 * Requirement 1: the peak must hold while both nodes are up; while one is down the rate
 * may drop to the steady one. So the offered rate is peakRate until the break, steadyRate
 * from the break until the broken part serves again plus settleS, then peakRate again
 * for peakAfterS.
 */
export interface DrillTiming {
  peakRate: number;
  steadyRate: number;
  /** Seconds at the peak before the break. */
  breakAtS: number;
  /** Seconds the broken part must have served again before the peak returns. */
  settleS: number;
  /** Seconds at the peak after it returns. */
  peakAfterS: number;
  /** Seconds the DB drills keep their node down at least (the leader's kill longer, until its alert fired). */
  dbHoldS: number;
}

export interface Marker {
  atMs: number;
  label: string;
}

export interface DrillOutcome {
  name: string;
  what: string;
  markers: Marker[];
  /** The offered rate's steps, in ms since the suite's origin. */
  rateSteps: { atMs: number; rate: number }[];
  /** When the drill's load stopped, ms since the suite's origin. */
  loadEndMs: number;
  requests: number;
  failed: number;
  failures: Record<string, number>;
  /** The break, ms since the suite's origin. */
  breakAtMs: number;
  /** Every failed request, with the node that served it and its class. */
  failedRequests: ExplainedFailure[];
  /** Frontends whose access log could not be read (their failures say "node unknown"). */
  accessLogProblems: string[];
  recoverySeconds: number;
  /** From the break, or from the restore when the drill restores by hand. */
  recoveryFrom: "break" | "restore";
  rowsKept: boolean;
  result: CheckResult;
  /** Rows of the drill's own beside its result (judge's more). */
  more: CheckResult[];
}

const PROBE_INTERVAL_S = 0.5;
const RECOVERY_LIMIT_S = 60;
/** Requirement 3's error budget, over every request of the drill. */
const ERROR_BUDGET = 0.01;
/** Give up waiting for the broken part this long after the break (or restore). */
const RECOVERY_WAIT_S = 90;
/** Ignore the probe this long after the break: a break takes a moment to show. */
const BREAK_SHOWS_S = 1;
/** nginx writes the access log's buffer every 2 s (flush=2s): wait that long, and a margin. */
const ACCESS_LOG_FLUSH_MS = 3_000;
/** Failed requests listed in the table's details; the HTML report lists them all. */
const FAILURES_IN_TABLE = 5;

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

/**
 * Seconds from the break to the start of the last request after it that got no answer
 * at all (a connection refused, reset or timed out: what a lost frontend causes; an
 * HTTP error is an answer, from a frontend that is up). 0: none.
 */
export function lastUnansweredAfter(samples: readonly Sample[], breakAtMs: number): number {
  const last = samples
    .filter((s) => !s.ok && s.status === 0 && s.error !== "shed" && s.startMs >= breakAtMs)
    .reduce((m, s) => Math.max(m, s.startMs), breakAtMs);
  return (last - breakAtMs) / 1000;
}

/** "502 x12, 429 x3", largest first. */
export function breakdown(failures: Record<string, number>): string {
  const entries = Object.entries(failures).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([k, n]) => `${k} x${n}`).join(", ") : "none";
}

export interface Watched {
  name: string;
  atMs: number;
  ok: boolean;
}

/** Seconds each watched node spent without answering pong: a failed probe counts until the next probe of that node. */
export function downSeconds(watch: readonly Watched[]): Record<string, number> {
  const down: Record<string, number> = {};
  for (const name of new Set(watch.map((w) => w.name))) {
    const mine = watch.filter((w) => w.name === name).sort((a, b) => a.atMs - b.atMs);
    let ms = 0;
    mine.forEach((w, i) => {
      if (!w.ok) ms += i + 1 < mine.length ? mine[i + 1].atMs - w.atMs : PROBE_INTERVAL_S * 1000;
    });
    if (ms > 0) down[name] = ms / 1000;
  }
  return down;
}

/**
 * Watches the app nodes the drill does not break, from the frontend: when one of them
 * is down too, the failures are not the drill's alone (the failure spread, or somebody
 * else disturbed the run), and the table says so.
 */
function watchOthers(targets: HealthTargets, plan: DrillPlan, loops: number, into: Watched[]) {
  const others = targets.apps.filter((a) => a.node.name !== plan.breaks);
  const each = others.map((a) => `(r=$(curl -s -m 1 ${shellQuote(`${a.url}/ping`)} 2>/dev/null | head -c 20); echo "w:${a.node.name}:$r") &`).join(" ");
  return streamFrom(targets.frontend, `for i in $(seq 1 ${loops}); do ${each} sleep ${PROBE_INTERVAL_S}; wait; done`, (line) => {
    const m = /^w:([^:]+):(.*)$/.exec(line);
    if (m) into.push({ name: m[1], atMs: performance.now(), ok: m[2].trim() === "pong" });
  });
}

/**
 * The drill's failed requests, explained from the frontends' access log over the
 * drill's window (read once; a log that cannot be read leaves "node unknown").
 */
async function explainDrillFailures(ctx: LoadContext, failed: readonly Sample[], nodes: readonly InventoryNode[], plan: DrillPlan, brk: { atMs: number; servingAgainMs: number }, window: { fromMs: number; toMs: number }, requests: number) {
  const names = new Map(nodes.map((n) => [n.privateAddress, n.name]));
  const brokenAddress = nodes.find((n) => n.name === plan.breaks)?.privateAddress;
  const needLog = failed.some((s) => s.status !== 0);
  const waitMs = window.toMs + ACCESS_LOG_FLUSH_MS - (performance.now() - ctx.originMs);
  if (needLog && waitMs > 0) await sleep(waitMs);
  const epoch = (ms: number) => ctx.originEpochMs + ms;
  const frontends = nodes.filter((n) => n.group === "frontend");
  // Other traffic shares the log: read well beyond the drill's own requests.
  const log = needLog ? await readFailedAccesses(frontends, epoch(window.fromMs) - 2_000, epoch(window.toMs) + 2_000, requests * 4 + 10_000) : { entries: [], problems: [] };
  return { explained: explainFailures(failed, log.entries, { ...brk, brokenAddress }, ctx.originEpochMs, names), problems: log.problems };
}

export async function runDrill(ctx: LoadContext, db: Database, ranges: MaxIds, plan: DrillPlan, timing: DrillTiming, targets: HealthTargets, nodes: readonly InventoryNode[]): Promise<DrillOutcome> {
  const phase = `drill:${plan.name}`;
  const countsBefore = await db.initialRowCounts(ranges);
  const probe: { atMs: number; ok: boolean }[] = [];
  const recoveryWaitS = plan.recoveryWaitS ?? RECOVERY_WAIT_S;
  const recoveryLimitS = plan.recoveryLimitS ?? RECOVERY_LIMIT_S;
  const upperS = timing.breakAtS + Math.max(plan.restoreAfterS ?? 0, plan.holdUntil?.atMostS ?? 0) + recoveryWaitS + timing.settleS + timing.peakAfterS + 30;
  const loops = Math.ceil(upperS / PROBE_INTERVAL_S);
  const probeProcess = streamFrom(
    plan.probeOn,
    `for i in $(seq 1 ${loops}); do r=$( { ${plan.probeCommand}; } 2>/dev/null || true); echo "p:$r"; sleep ${PROBE_INTERVAL_S}; done`,
    (line) => {
      if (!line.startsWith("p:")) return;
      const output = line.slice(2).trim();
      probe.push({ atMs: performance.now() - ctx.originMs, ok: plan.probeOk ? plan.probeOk(output) : output === "pong" });
    },
  );
  const watched: Watched[] = [];
  const watcher = watchOthers(targets, plan, loops, watched);
  const markers: Marker[] = [];
  const nowMs = () => performance.now() - ctx.originMs;
  const schedule = new RateSchedule(timing.peakRate);
  const stop = new AbortController();
  const setRate = (rate: number, label: string) => {
    schedule.setNow(rate);
    markers.push({ atMs: nowMs(), label: `${plan.name}: ${label}` });
  };
  try {
    const load = runOpenLoad({
      rate: schedule,
      durationS: upperS,
      maxInFlight: timing.peakRate * 30,
      job: plan.loadJob ? plan.loadJob(ctx, phase) : mixJob(ctx, phase),
      onShed: (due) => ctx.log.add({ endpoint: "shed", phase, startMs: due - ctx.originMs, latencyMs: 0, status: 0, ok: false, error: "shed" }),
      signal: stop.signal,
    });
    await sleep(timing.breakAtS * 1000);
    const breakAt = nowMs();
    const breakEpochMs = Date.now();
    setRate(timing.steadyRate, `break, ${timing.steadyRate} RPS`);
    await plan.breakIt();
    let from = breakAt;
    let restoreEpochMs: number | undefined;
    if (plan.restore) {
      await sleep((plan.restoreAfterS ?? 20) * 1000);
      const hold = plan.holdUntil;
      if (hold) await waitUntil(() => hold.check(breakEpochMs), hold.atMostS - (nowMs() - breakAt) / 1000, 3_000);
      from = nowMs();
      restoreEpochMs = Date.now();
      markers.push({ atMs: from, label: `${plan.name}: restore` });
      await plan.restore();
    }
    // Serving again = healthy since the last failed probe, and still so settleS later.
    const deadline = from + recoveryWaitS * 1000;
    let healthyAt = Number.NaN;
    await sleep(BREAK_SHOWS_S * 1000);
    for (let round = 0; round < recoveryWaitS * 4 && nowMs() < deadline; round++) {
      healthyAt = recoveredAt(probe, from);
      if (Number.isNaN(healthyAt)) {
        await sleep(250);
        continue;
      }
      await sleep(Math.max(0, healthyAt + timing.settleS * 1000 - nowMs()));
      if (recoveredAt(probe, from) === healthyAt) break;
      healthyAt = Number.NaN;
    }
    healthyAt = recoveredAt(probe, from);
    if (!Number.isNaN(healthyAt)) {
      markers.push({ atMs: healthyAt, label: `${plan.name}: ${plan.recoveryWhat ?? "serving again"}` });
      setRate(timing.peakRate, `${timing.peakRate} RPS again`);
      await sleep(timing.peakAfterS * 1000);
    }
    stop.abort();
    const run = await load;
    const loadEndMs = nowMs();
    const recoverySeconds = (healthyAt - from) / 1000;

    const countsAfter = await db.initialRowCounts(ranges);
    const rowsKept = Object.keys(countsBefore).every((t) => countsBefore[t] === countsAfter[t]);
    const samples = ctx.log.select((s) => s.phase === phase);
    const summary = SampleLog.summarize(phase, samples);
    const answeringS = lastUnansweredAfter(samples, breakAt);
    const answering = plan.answeringLimitS === undefined || answeringS <= plan.answeringLimitS;
    const errorsOk = plan.errorsNotJudged !== undefined || summary.errorRatio <= ERROR_BUDGET;
    const phases = plan.phases ? await plan.phases(breakEpochMs).catch((err: Error) => `phases unknown: ${err.message}`) : undefined;
    const t0 = schedule.startedAt - ctx.originMs;
    const alsoDown = Object.entries(downSeconds(watched)).map(([name, sec]) => `${name} ~${sec.toFixed(1)} s`);
    const failed = samples.filter((s) => !s.ok);
    const { explained, problems } = await explainDrillFailures(ctx, failed, nodes, plan, { atMs: breakAt, servingAgainMs: healthyAt }, { fromMs: t0, toMs: loadEndMs }, samples.length);
    const moments: DrillMoments = { breakAtMs: breakAt, breakEpochMs, restoreAtMs: plan.restore ? from : undefined, restoreEpochMs, servingAgainMs: healthyAt };
    const judged = plan.judge
      ? await plan.judge(ctx, moments, samples).catch((err: unknown): DrillJudgement => ({ ok: false, figure: `its own checks not done: ${err instanceof Error ? err.message : String(err)}`, requirement: "its own checks done" }))
      : undefined;
    const ok = errorsOk && recoverySeconds < recoveryLimitS && rowsKept && answering && (judged?.ok ?? true);
    const recoveryWhat = plan.recoveryWhat ?? "serving again";
    const details = [
      failed.length ? `failures by class: ${classCounts(explained)}` : "",
      explained.slice(0, FAILURES_IN_TABLE).map(failureLine).join("; ") + (explained.length > FAILURES_IN_TABLE ? `; ... ${explained.length - FAILURES_IN_TABLE} more in the HTML report` : ""),
      problems.length ? `access log not read (node unknown): ${problems.join("; ")}` : "",
      alsoDown.length ? `meanwhile not answering pong, though this drill did not break it: ${alsoDown.join(", ")}` : "",
      ...(judged?.details ?? []),
    ].filter(Boolean);
    const rates = run.segments.map((g) => `${g.rate}`).join("->");
    const back = run.segments.length > 2 ? ` (back at +${run.segments[2].fromS.toFixed(0)} s)` : "";
    return {
      name: plan.name,
      what: plan.what,
      markers,
      rateSteps: schedule.steps.map((s) => ({ atMs: t0 + s.atMs, rate: s.rate })),
      loadEndMs,
      requests: summary.count,
      failed: summary.errors,
      failures: summary.failures,
      breakAtMs: breakAt,
      failedRequests: explained,
      accessLogProblems: problems,
      recoverySeconds,
      recoveryFrom: plan.restore ? "restore" : "break",
      rowsKept,
      result: {
        check: `fault tolerance: ${plan.what}`,
        verdict: verdict(ok),
        figure:
          `failed ${summary.errors}/${summary.count} (${pct(summary.errorRatio)}: ${breakdown(summary.failures)}), ` +
          `last unanswered ${answeringS.toFixed(1)} s after the break, ` +
          `${recoveryWhat} ${Number.isFinite(recoverySeconds) ? recoverySeconds.toFixed(1) : "never"} s after the ${plan.restore ? "restore" : "break"}, ` +
          `rate ${rates} RPS${back}, p90 ${Math.round(summary.p90)} ms, initial rows ${rowsKept ? "kept" : "LOST"}` +
          (phases ? `; ${phases}` : "") +
          (judged ? `; ${judged.figure}` : ""),
        requirement:
          (plan.errorsNotJudged === undefined ? `failed <= ${ERROR_BUDGET * 100}% of requests` : `failed requests listed, not judged (${plan.errorsNotJudged})`) +
          `, ${recoveryWhat} < ${recoveryLimitS} s, no initial row lost` +
          (plan.answeringLimitS === undefined ? "" : `, every request answered from ${plan.answeringLimitS} s after the break on`) +
          (judged ? `, ${judged.requirement}` : ""),
        details: details.length ? details.join("; ") : undefined,
      },
      more: judged?.more ?? [],
    };
  } finally {
    stop.abort();
    probeProcess.kill("SIGTERM");
    watcher.kill("SIGTERM");
  }
}

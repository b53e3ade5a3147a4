// Capacity measured, not assumed: the uncached mix raised step by step until p90
// passes 400 ms or errors pass 1%, and the highest rate that held next to the
// ceiling the app's per-process rate limit sets.
import { runOpenLoad } from "../driver/open-load.js";
import { SampleLog } from "../driver/samples.js";
import type { LoadContext } from "../load/context.js";
import { isListEndpoint } from "../load/list-loop.js";
import { uncachedMixJob } from "../load/mix.js";
import { ms, pct, verdict, type CheckResult } from "./result.js";

export interface CapacityPlan {
  /** The first step's rate (RPS): the peak, so the first step is the peak without the cache's help. */
  fromRate: number;
  /** How much each step adds (RPS). */
  stepRate: number;
  /** The last step's rate at most (RPS). */
  toRate: number;
  /** Seconds per step. */
  stepS: number;
  /**
   * After the first step that fails, the gap to the last that held is halved until it is
   * this small (RPS): the held rate is then known to within it, not just to stepRate.
   * @default stepRate (no refinement)
   */
  finestStepRate?: number;
}

/**
 * Requests per second one bingo process answers before it refuses with 429: the
 * contract's figure (docs/stand-in.md), which the stand-in enforces with a token
 * bucket (bingo/server/rate-limit.ts, REQUESTS_PER_SECOND in bingo/server/app.ts).
 */
export const RATE_LIMIT_PER_PROCESS = 100;

const P90_LIMIT_MS = 400;
const ERROR_LIMIT = 0.01;
/** The driver itself must hold the step's rate (as in the steady and peak phases). */
const RATE_TOLERANCE = 0.02;

export interface StepFigures {
  rate: number;
  /** Requests of the step (arrivals and the DELETEs after session writes). */
  count: number;
  p50Ms: number;
  p90Ms: number;
  errors: number;
  errorRatio: number;
  /** Status codes or error kinds of the failures, with counts. */
  failures: Record<string, number>;
  achievedRps: number;
  shed: number;
}

export interface JudgedStep extends StepFigures {
  /** Why the step did not hold (undefined: it held). */
  why?: string;
}

export interface CapacitySearch {
  steps: JudgedStep[];
  /** The highest step that held (undefined: not even the first). */
  held?: JudgedStep;
  /** The first step that did not hold (undefined: every step held). */
  failed?: JudgedStep;
}

/** fromRate, fromRate + stepRate, ... up to toRate. */
export function capacityRates(plan: CapacityPlan): number[] {
  if (!(plan.fromRate > 0 && plan.stepRate > 0 && plan.toRate >= plan.fromRate && plan.stepS > 0)) throw new Error(`a capacity plan needs 0 < fromRate <= toRate, stepRate > 0 and stepS > 0: ${JSON.stringify(plan)}`);
  const rates: number[] = [];
  for (let r = plan.fromRate; r <= plan.toRate; r += plan.stepRate) rates.push(r);
  return rates;
}

const failureList = (f: Record<string, number>) =>
  Object.entries(f)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} x${n}`)
    .join(", ");

/** Why a step did not hold: p90, errors, or the driver not holding the rate; undefined when it held. */
export function whyNotHeld(f: StepFigures): string | undefined {
  if (f.count === 0) return "no requests recorded";
  const why: string[] = [];
  if (!(f.p90Ms < P90_LIMIT_MS)) why.push(`p90 ${ms(f.p90Ms)} >= ${P90_LIMIT_MS} ms`);
  if (f.errorRatio > ERROR_LIMIT) why.push(`errors ${pct(f.errorRatio)} > ${ERROR_LIMIT * 100}%: ${failureList(f.failures)}`);
  if (f.shed > 0 || Math.abs(f.achievedRps - f.rate) > f.rate * RATE_TOLERANCE) why.push(`the driver sent ${f.achievedRps.toFixed(1)} RPS, shed ${f.shed}`);
  return why.length ? why.join("; ") : undefined;
}

/**
 * Runs the steps in order and stops at the first that does not hold; then halves the gap
 * between the last that held and that one (rates rounded to finestStepRate) while it is
 * wider than finestStepRate.
 */
export async function searchCapacity(rates: readonly number[], run: (rate: number) => Promise<StepFigures>, finestStepRate = Infinity): Promise<CapacitySearch> {
  const steps: JudgedStep[] = [];
  const judge = async (rate: number) => {
    const figures = await run(rate);
    const step = { ...figures, why: whyNotHeld(figures) };
    steps.push(step);
    return step;
  };
  let held: JudgedStep | undefined;
  let failed: JudgedStep | undefined;
  for (const rate of rates) {
    const step = await judge(rate);
    if (step.why) {
      failed = step;
      break;
    }
    held = step;
  }
  while (held && failed && failed.rate - held.rate > finestStepRate) {
    const mid = held.rate + Math.max(finestStepRate, Math.round((failed.rate - held.rate) / 2 / finestStepRate) * finestStepRate);
    if (mid >= failed.rate) break;
    const step = await judge(mid);
    if (step.why) failed = step;
    else held = step;
  }
  return { steps, held, failed };
}

/** One step of the uncached mix at rate for stepS seconds, recorded under phase. */
export async function capacityStep(ctx: LoadContext, phase: string, rate: number, stepS: number): Promise<StepFigures> {
  const result = await runOpenLoad({
    rate,
    durationS: stepS,
    maxInFlight: rate * 30,
    job: uncachedMixJob(ctx, phase),
    onShed: (due) => ctx.log.add({ endpoint: "shed", phase, startMs: due - ctx.originMs, latencyMs: 0, status: 0, ok: false, error: "shed" }),
  });
  const s = SampleLog.summarize(phase, ctx.log.select((x) => x.phase === phase && !isListEndpoint(x.endpoint)));
  return { rate, count: s.count, p50Ms: s.p50, p90Ms: s.p90, errors: s.errors, errorRatio: s.errorRatio, failures: s.failures, achievedRps: result.achievedRps, shed: result.shed };
}

const stepFigure = (s: JudgedStep) => `${s.rate} RPS (p90 ${ms(s.p90Ms)}, errors ${pct(s.errorRatio)})`;

/**
 * The row: the highest rate that held, the first that failed and why, and the ceiling
 * the per-process limit sets for the app nodes' processes (processesPerNode, read from the
 * target). It passes when the first step (the peak without the cache) held; how far above
 * it the rate held is a measurement.
 */
export function capacityRow(search: CapacitySearch, plan: CapacityPlan, appNodes: number, processesPerNode: number): CheckResult {
  const ceiling = RATE_LIMIT_PER_PROCESS * appNodes * processesPerNode;
  const held = search.held ? `held ${stepFigure(search.held)}` : "held none";
  const failed = search.failed ? `failed at ${search.failed.rate} RPS (${search.failed.why})` : `no step up to ${plan.toRate} RPS failed`;
  const ratio = search.held ? `, held/ceiling ${(search.held.rate / ceiling).toFixed(2)}` : "";
  return {
    check: "capacity: uncached mix (no /long_dummy), step by step",
    verdict: verdict(search.held !== undefined && search.held.rate >= plan.fromRate),
    figure: `${held}, ${failed}; ceiling ${ceiling} RPS (${RATE_LIMIT_PER_PROCESS}/s per process x ${appNodes} app nodes x ${processesPerNode} process${processesPerNode === 1 ? "" : "es"} per node)${ratio}`,
    requirement: `highest step of ${plan.stepS} s from ${plan.fromRate} RPS (+${plan.stepRate}${plan.finestStepRate && plan.finestStepRate < plan.stepRate ? `, then to within ${plan.finestStepRate}` : ""}) with p90 < ${P90_LIMIT_MS} ms and errors <= ${ERROR_LIMIT * 100}%; the first must hold`,
    details: search.steps.map((s) => `${stepFigure(s)}${s.why ? " failed" : " held"}`).join("; "),
  };
}

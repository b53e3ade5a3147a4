// Open-model load: request i is due when the arrival rate integrated since t0 reaches
// i (t0 + i/rate at a constant rate) and starts then, however many earlier requests
// are still waiting, so a slow server cannot slow the driver down
// and hide its own slowness. Latency is measured from the due time, not from the
// moment the request actually left, so any lateness of the driver counts against it.
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";
import { percentile } from "./percentile.js";
import { RateSchedule } from "./schedule.js";

/** Starts one request that was due at dueMs (performance.now() time) and records it. */
export type Job = (dueMs: number) => Promise<void>;

export interface OpenLoadOptions {
  /** Requests started per second: a constant, or a schedule that may change while running. */
  rate: number | RateSchedule;
  /** Upper bound of the load's length; `signal` may end it earlier. */
  durationS: number;
  job: Job;
  /** Safety valve: beyond this many outstanding requests new ones are shed, not sent. */
  maxInFlight: number;
  /** Records a shed request (the caller counts it as an error). */
  onShed: (dueMs: number) => void;
  /** Stops starting requests early (the outstanding ones still finish). */
  signal?: AbortSignal;
}

export interface SegmentResult {
  fromS: number;
  toS: number;
  rate: number;
  /** Requests due in the segment (started or shed). */
  due: number;
}

export interface OpenLoadResult {
  /** Requests whose due time came (started + shed). */
  planned: number;
  started: number;
  shed: number;
  /** Requests started per second between the first due time and the last start. */
  achievedRps: number;
  /** How late requests started relative to their due time, in ms. */
  startLagP99Ms: number;
  startLagMaxMs: number;
  maxOutstanding: number;
  /** One entry per rate step, as the load actually ran. */
  segments: SegmentResult[];
}

/**
 * Closer than this to a due time the driver polls the event loop instead of sleeping.
 * Polling burns a core for that long before every request; on a shared 2-core host a
 * longer window (1.2 ms was tried) stole CPU from the server under test and widened
 * the tail more than the ~0.3 ms of timer lateness it saves.
 */
const SPIN_MS = 0.5;
const MAX_SLEEP_MS = 50;

export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const { durationS, job, maxInFlight, onShed, signal } = options;
  const schedule = typeof options.rate === "number" ? new RateSchedule(options.rate) : options.rate;
  if (!(durationS > 0)) throw new Error(`the duration must be positive (got ${durationS} s)`);
  const endMs = durationS * 1000 - 1e-6;
  const lags: number[] = [];
  const dueTimes: number[] = [];
  const outstanding = new Set<Promise<void>>();
  let i = 0;
  let started = 0;
  let shed = 0;
  let maxOutstanding = 0;
  let lastStart = 0;
  const t0 = performance.now();
  schedule.start(t0);

  while (!signal?.aborted) {
    const due = t0 + schedule.dueMs(i);
    if (due - t0 >= endMs) break;
    const now = performance.now();
    if (now < due) {
      // Timers wake up to ~1 ms late, so sleep only until shortly before the due time
      // and cover the last stretch by yielding to the event loop, which keeps answers
      // flowing meanwhile. Costs some CPU, buys sub-millisecond start times. Sleeps are
      // capped so that a rate raised meanwhile takes effect within MAX_SLEEP_MS.
      if (due - now > SPIN_MS) await sleep(Math.min(MAX_SLEEP_MS, due - now - SPIN_MS));
      else await yieldToLoop();
      continue;
    }
    // Start every request whose time has come.
    for (let dueMs = due; dueMs <= performance.now() && dueMs - t0 < endMs; dueMs = t0 + schedule.dueMs(i)) {
      i++;
      dueTimes.push(dueMs - t0);
      if (outstanding.size >= maxInFlight) {
        shed++;
        onShed(dueMs);
        continue;
      }
      lastStart = performance.now();
      lags.push(lastStart - dueMs);
      started++;
      const p: Promise<void> = job(dueMs)
        .catch(() => undefined)
        .finally(() => outstanding.delete(p));
      outstanding.add(p);
      if (outstanding.size > maxOutstanding) maxOutstanding = outstanding.size;
    }
  }
  const endedMs = Math.min(performance.now() - t0, durationS * 1000);
  // The rate the requests actually left at: n starts span n-1 intervals.
  const spanMs = lastStart - t0;
  const achievedRps = started > 1 && spanMs > 0 ? ((started + shed - 1) * 1000) / spanMs : 0;
  await Promise.all(outstanding);
  return {
    planned: i,
    started,
    shed,
    achievedRps,
    startLagP99Ms: percentile(lags, 99),
    startLagMaxMs: lags.length ? lags.reduce((a, b) => Math.max(a, b), -Infinity) : Number.NaN,
    maxOutstanding,
    segments: segmentsOf(schedule, dueTimes, endedMs),
  };
}

function segmentsOf(schedule: RateSchedule, dueTimes: readonly number[], endedMs: number): SegmentResult[] {
  const steps = schedule.steps.filter((s) => s.atMs < endedMs);
  return steps.map((s, k) => {
    const toMs = k + 1 < steps.length ? steps[k + 1].atMs : endedMs;
    return { fromS: s.atMs / 1000, toS: toMs / 1000, rate: s.rate, due: dueTimes.filter((d) => d >= s.atMs && d < toMs).length };
  });
}

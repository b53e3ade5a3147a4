// Open-model load: request i is due at t0 + i/rate and starts then, however many
// earlier requests are still waiting, so a slow server cannot slow the driver down
// and hide its own slowness. Latency is measured from the due time, not from the
// moment the request actually left, so any lateness of the driver counts against it.
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";
import { percentile } from "./percentile.js";

/** Starts one request that was due at dueMs (performance.now() time) and records it. */
export type Job = (dueMs: number) => Promise<void>;

export interface OpenLoadOptions {
  /** Requests started per second. */
  rate: number;
  durationS: number;
  job: Job;
  /** Safety valve: beyond this many outstanding requests new ones are shed, not sent. */
  maxInFlight: number;
  /** Records a shed request (the caller counts it as an error). */
  onShed: (dueMs: number) => void;
  /** Stops starting requests early (the outstanding ones still finish). */
  signal?: AbortSignal;
}

export interface OpenLoadResult {
  planned: number;
  started: number;
  shed: number;
  /** Requests started per second between the first due time and the last start. */
  achievedRps: number;
  /** How late requests started relative to their due time, in ms. */
  startLagP99Ms: number;
  startLagMaxMs: number;
  maxOutstanding: number;
}

/** Closer than this to a due time the driver polls the event loop instead of sleeping. */
const SPIN_MS = 1.2;

export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const { rate, durationS, job, maxInFlight, onShed, signal } = options;
  if (!(rate > 0) || !(durationS > 0)) throw new Error(`rate and duration must be positive (got ${rate}/s for ${durationS} s)`);
  const planned = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const lags: number[] = [];
  const outstanding = new Set<Promise<void>>();
  let started = 0;
  let shed = 0;
  let maxOutstanding = 0;
  let lastStart = 0;
  const t0 = performance.now();

  for (let i = 0; i < planned && !signal?.aborted; ) {
    const due = t0 + i * intervalMs;
    const now = performance.now();
    if (now < due) {
      // Timers wake up to ~1 ms late, so sleep only until shortly before the due time
      // and cover the last stretch by yielding to the event loop, which keeps answers
      // flowing meanwhile. Costs some CPU, buys sub-millisecond start times.
      if (due - now > SPIN_MS) await sleep(due - now - SPIN_MS);
      else await yieldToLoop();
      continue;
    }
    // Start every request whose time has come.
    while (i < planned && t0 + i * intervalMs <= performance.now()) {
      const dueMs = t0 + i * intervalMs;
      i++;
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
  // The rate the requests actually left at: n starts span n-1 intervals.
  const spanMs = lastStart - t0;
  const achievedRps = started > 1 && spanMs > 0 ? ((started + shed - 1) * 1000) / spanMs : 0;
  await Promise.all(outstanding);
  return {
    planned,
    started,
    shed,
    achievedRps,
    startLagP99Ms: percentile(lags, 99),
    startLagMaxMs: lags.length ? Math.max(...lags) : Number.NaN,
    maxOutstanding,
  };
}

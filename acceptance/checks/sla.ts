// Service levels judged from the load samples: latency and errors per endpoint, and
// whether the driver's arrival rate was actually held.
import type { OpenLoadResult } from "../driver/open-load.js";
import { SampleLog, type Sample } from "../driver/samples.js";
import { ARRIVAL_ENDPOINTS, FAST_ENDPOINTS, LONG_DUMMY, SESSION_DELETE, SESSION_POST } from "../load/mix.js";
import { LIST_ENDPOINTS } from "../load/list-loop.js";
import { ms, pct, verdict, type CheckResult } from "./result.js";

const P90_LIMIT_MS = 400;

function latencyFigure(s: ReturnType<typeof SampleLog.summarize>): string {
  return `p50 ${ms(s.p50)} p90 ${ms(s.p90)} p99 ${ms(s.p99)}, errors ${pct(s.errorRatio)} (${s.errors}/${s.count})`;
}

function failureNote(s: ReturnType<typeof SampleLog.summarize>): string | undefined {
  const entries = Object.entries(s.failures);
  return entries.length ? `failures: ${entries.map(([k, n]) => `${k} x${n}`).join(", ")}` : undefined;
}

/** Fast endpoints at the peak: p90 < 400 ms, <= 1% errors. */
export function fastEndpointChecks(samples: readonly Sample[], phaseLabel: string): CheckResult[] {
  return FAST_ENDPOINTS.map((endpoint) => {
    const s = SampleLog.summarize(endpoint, samples.filter((x) => x.endpoint === endpoint));
    const ok = s.count > 0 && s.p90 < P90_LIMIT_MS && s.errorRatio <= 0.01;
    return { check: `${endpoint} meets the SLA (${phaseLabel})`, verdict: verdict(ok), figure: latencyFigure(s), requirement: `p90 < ${P90_LIMIT_MS} ms, errors <= 1%`, details: failureNote(s) };
  });
}

export function otherEndpointChecks(samples: readonly Sample[]): CheckResult[] {
  const limits: [string, number, string][] = [
    ...LIST_ENDPOINTS.map((e): [string, number, string] => [e, e.endsWith("session") ? 0.05 : 0.01, "one at a time"]),
    [SESSION_POST, 0.01, ""],
    [SESSION_DELETE, 0.01, ""],
    [LONG_DUMMY, 0.01, ""],
  ];
  return limits.map(([endpoint, maxRatio, note]) => {
    const s = SampleLog.summarize(endpoint, samples.filter((x) => x.endpoint === endpoint));
    const ok = s.count > 0 && s.errorRatio <= maxRatio;
    return { check: `${endpoint} errors`, verdict: verdict(ok), figure: latencyFigure(s), requirement: `errors <= ${maxRatio * 100}%${note ? `, ${note}` : ""}`, details: failureNote(s) };
  });
}

/**
 * The rate was held: requests left on time and were answered successfully. Only the
 * phase's own arrivals count: the DELETEs that follow session writes and the list
 * requests beside the load are other traffic, and counting their answers would let
 * the phase pass while more than 1% of its own requests failed.
 */
export function rateHeldCheck(name: string, rate: number, durationS: number, result: OpenLoadResult, samples: readonly Sample[]): CheckResult {
  const own = samples.filter((s) => ARRIVAL_ENDPOINTS.includes(s.endpoint));
  const answered = own.filter((s) => s.ok).length;
  const okRps = answered / durationS;
  const ok = Math.abs(result.achievedRps - rate) <= rate * 0.02 && result.shed === 0 && okRps >= rate * 0.99;
  return {
    check: `${name}: ${rate} RPS for ${durationS} s`,
    verdict: verdict(ok),
    figure: `sent ${result.achievedRps.toFixed(1)} RPS, answered OK ${okRps.toFixed(1)} RPS (${answered}/${own.length} of its requests), shed ${result.shed}`,
    requirement: `${rate} RPS +-2%, >= 99% answered OK`,
  };
}

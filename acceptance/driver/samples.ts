// Every request the suite makes becomes one Sample; summaries and the per-second
// series of the report are computed from this log afterwards.
import { summarize, type LatencySummary } from "./percentile.js";

export interface Sample {
  /** Endpoint label, e.g. "GET /api/movie/{id}". */
  endpoint: string;
  /** The path requested, e.g. "/api/movie/42" (none for a shed request, which was never sent). */
  path?: string;
  /** Load phase the request belonged to, e.g. "steady", "peak", "drill:nginx". */
  phase: string;
  /** Intended start, in ms since the suite's clock origin. */
  startMs: number;
  /** Completion minus intended start, in ms (includes any lateness of the driver). */
  latencyMs: number;
  /** HTTP status, or 0 when no answer came (timeout, connection error, shed). */
  status: number;
  ok: boolean;
  error?: string;
}

export interface EndpointSummary extends LatencySummary {
  endpoint: string;
  errors: number;
  errorRatio: number;
  /** Status codes (or error kinds) of the failures, with counts. */
  failures: Record<string, number>;
}

export interface SecondPoint {
  second: number;
  count: number;
  errors: number;
  p50: number;
  p90: number;
  p99: number;
}

export class SampleLog {
  readonly samples: Sample[] = [];

  add(sample: Sample): void {
    this.samples.push(sample);
  }

  select(filter: (s: Sample) => boolean): Sample[] {
    return this.samples.filter(filter);
  }

  static summarize(endpoint: string, samples: readonly Sample[]): EndpointSummary {
    const failures: Record<string, number> = {};
    let errors = 0;
    for (const s of samples) {
      if (s.ok) continue;
      errors++;
      const key = s.status ? String(s.status) : (s.error ?? "error");
      failures[key] = (failures[key] ?? 0) + 1;
    }
    return {
      endpoint,
      ...summarize(samples.map((s) => s.latencyMs)),
      errors,
      errorRatio: samples.length ? errors / samples.length : 0,
      failures,
    };
  }

  /** One summary per endpoint over the samples that pass the filter. */
  byEndpoint(filter: (s: Sample) => boolean = () => true): EndpointSummary[] {
    const groups = new Map<string, Sample[]>();
    for (const s of this.samples) {
      if (!filter(s)) continue;
      let group = groups.get(s.endpoint);
      if (!group) groups.set(s.endpoint, (group = []));
      group.push(s);
    }
    return [...groups].map(([endpoint, group]) => SampleLog.summarize(endpoint, group));
  }

  /** Per-second points (by intended start) of the samples that pass the filter. */
  perSecond(filter: (s: Sample) => boolean = () => true): SecondPoint[] {
    const buckets = new Map<number, number[]>();
    const errors = new Map<number, number>();
    for (const s of this.samples) {
      if (!filter(s)) continue;
      const second = Math.floor(s.startMs / 1000);
      let bucket = buckets.get(second);
      if (!bucket) buckets.set(second, (bucket = []));
      bucket.push(s.latencyMs);
      if (!s.ok) errors.set(second, (errors.get(second) ?? 0) + 1);
    }
    return [...buckets.keys()]
      .sort((a, b) => a - b)
      .map((second) => {
        const summary = summarize(buckets.get(second) ?? []);
        return {
          second,
          count: summary.count,
          errors: errors.get(second) ?? 0,
          p50: summary.p50,
          p90: summary.p90,
          p99: summary.p99,
        };
      });
  }
}

// Nothing extra is cached: every uncached endpoint answers with the server's current
// time (checked against the tester's clock), and two requests a moment apart differ.
// /long_dummy may be cached, but its answers must be at most 60 s old.
import { HttpClient, type Exchange } from "../driver/http.js";
import { percentile } from "../driver/percentile.js";
import { randomId, serverTimeMs, type LoadContext } from "../load/context.js";
import { guarded, ms, pct, verdict, type CheckResult } from "./result.js";

interface Probe {
  label: string;
  method: string;
  path: string;
  body?: unknown;
}

function probes(ctx: LoadContext): Probe[] {
  return [
    { label: "/", method: "GET", path: "/" },
    { label: "/ping", method: "GET", path: "/ping" },
    { label: "/db_dummy", method: "GET", path: "/db_dummy" },
    { label: "/operation", method: "POST", path: "/operation", body: { operation: 7 } },
    { label: "/api/movie/{id}", method: "GET", path: `/api/movie/${randomId(ctx.ranges.movies)}` },
    { label: "/api/customer/{id}", method: "GET", path: `/api/customer/${randomId(ctx.ranges.customers)}` },
    { label: "/api/session/{id}", method: "GET", path: `/api/session/${randomId(ctx.ranges.sessions)}` },
  ];
}

interface Seen {
  res: Exchange;
  serverMs: number;
  testerMs: number;
}

async function fetchAll(client: HttpClient, list: Probe[]): Promise<Seen[]> {
  return Promise.all(
    list.map(async (p) => {
      const res = await client.send(p.method, p.path, p.body);
      return { res, serverMs: serverTimeMs(res), testerMs: Date.now() };
    }),
  );
}

export async function freshnessCheck(ctx: LoadContext, origin: string): Promise<CheckResult[]> {
  return guarded("nothing extra is cached", "uncached answers carry the current server time", async () => {
    const client = new HttpClient(origin, { connections: 8, timeoutMs: 10_000 });
    try {
      const list = probes(ctx);
      const first = await fetchAll(client, list);
      await new Promise((r) => setTimeout(r, 1_500)); // Date has 1 s resolution: wait longer than that
      const second = await fetchAll(client, list);
      const problems: string[] = [];
      let worstSkew = 0;
      list.forEach((p, i) => {
        for (const seen of [first[i], second[i]]) {
          const cache = seen.res.headers["x-cache-status"] ?? "";
          if (/HIT|STALE|UPDATING/i.test(cache)) problems.push(`${p.label} X-Cache-Status ${cache}`);
          const skew = Math.abs(seen.testerMs - seen.serverMs);
          worstSkew = Math.max(worstSkew, skew);
          if (!(skew <= 2_000)) problems.push(`${p.label} server time ${(skew / 1000).toFixed(1)} s off`);
        }
        if (first[i].serverMs === second[i].serverMs) problems.push(`${p.label} repeated answer has the same server time`);
      });
      return {
        check: "nothing extra is cached",
        verdict: verdict(problems.length === 0),
        figure: `${list.length} endpoints x2, worst age ${ms(worstSkew)}`,
        requirement: "no cache hit, age < 2 s, repeats differ",
        details: problems.join("; ") || undefined,
      };
    } finally {
      await client.close();
    }
  });
}

export function longDummyCheck(ctx: LoadContext): CheckResult {
  const answers = ctx.longDummy;
  const under1s = answers.filter((a) => a.latencyMs < 1_000).length;
  const fastShare = answers.length ? under1s / answers.length : 0;
  const maxAge = answers.length ? Math.max(...answers.map((a) => a.ageS)) : Number.NaN;
  const ok = answers.length >= 5 && fastShare >= 0.75 && maxAge <= 60;
  return {
    check: "caching for GET /long_dummy",
    verdict: verdict(ok),
    figure: `${answers.length} answers, ${pct(fastShare)} < 1 s, max age ${maxAge.toFixed(1)} s, p50 ${ms(percentile(answers.map((a) => a.latencyMs), 50))}`,
    requirement: ">= 75% under 1 s, age <= 60 s",
  };
}

// Measures the load driver itself: drives one URL at a fixed open-model rate and
// prints the achieved rate and the latency percentiles as JSON. The accuracy test
// runs it as its own process, the way the suite runs, next to an independent tool.
//
//   node --import tsx acceptance/calibrate.ts URL RATE DURATION_S [WARMUP_S]
//   node --import tsx acceptance/calibrate.ts URL RATE DURATION_S WARMUP_S rounds
//     warms up once, then runs one measurement per line read on stdin ("go") and
//     prints one JSON line each: the test interleaves these rounds with the
//     reference tool's without paying a process start (and a cold JIT) per round.
import { createInterface } from "node:readline";
import { HttpClient } from "./driver/http.js";
import { runOpenLoad } from "./driver/open-load.js";
import { summarize } from "./driver/percentile.js";

export interface CalibrationResult {
  rate: number;
  durationS: number;
  achievedRps: number;
  answers: number;
  errors: number;
  startLagP99Ms: number;
  p50: number;
  p90: number;
  p99: number;
}

async function drive(client: HttpClient, rate: number, durationS: number): Promise<CalibrationResult> {
  const latencies: number[] = [];
  let errors = 0;
  const result = await runOpenLoad({
    rate,
    durationS,
    maxInFlight: rate * 2,
    onShed: () => errors++,
    job: async (due) => {
      try {
        const res = await client.send("GET", "/");
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - due);
    },
  });
  const latency = summarize(latencies);
  return {
    rate,
    durationS,
    achievedRps: result.achievedRps,
    answers: latency.count,
    errors,
    startLagP99Ms: result.startLagP99Ms,
    p50: latency.p50,
    p90: latency.p90,
    p99: latency.p99,
  };
}

async function main(): Promise<void> {
  const [url, rateArg, durationArg, warmupArg = "2", mode = "once"] = process.argv.slice(2);
  const rate = Number(rateArg);
  const durationS = Number(durationArg);
  if (!url || !(rate > 0) || !(durationS > 0) || durationS > 120 || rate > 5_000) {
    throw new Error("usage: calibrate.ts URL RATE(1..5000) DURATION_S(1..120) [WARMUP_S [rounds]]");
  }
  const host = new URL(url).hostname;
  if (!/^127\.|^localhost$/.test(host)) throw new Error(`calibration runs against loopback only, not ${host}`);
  const client = new HttpClient(url, { connections: 128, timeoutMs: 5_000 });
  try {
    if (Number(warmupArg) > 0) await drive(client, rate, Number(warmupArg)); // opens the connections, warms the JIT
    if (mode !== "rounds") {
      process.stdout.write(JSON.stringify(await drive(client, rate, durationS)) + "\n");
      return;
    }
    process.stdout.write("ready\n");
    // Bounded: at most 100 rounds, and stdin closing ends it.
    const lines = createInterface({ input: process.stdin });
    let rounds = 0;
    for await (const line of lines) {
      if (line.trim() !== "go" || ++rounds > 100) break;
      process.stdout.write(JSON.stringify(await drive(client, rate, durationS)) + "\n");
    }
    lines.close();
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

// The acceptance suite: the customer's tester, re-created. Runs every check of
// requirements.md against a live installation, prints the verdict table, writes
// reports/acceptance.json and reports/acceptance.html, exits 0 only if all pass.
//
//   PROFILE=full|smoke|ci [DRILLS=name,...] [BREAK_RATE=rps] URL=https://... node --import tsx acceptance/main.ts
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { answersMatchRows, initialRowsCheck, listAnswerMatches, sessionRoundTrip } from "./checks/data.js";
import { freshnessCheck, longDummyCheck } from "./checks/freshness.js";
import { nodeChecks } from "./checks/nodes.js";
import { capacityRates, capacityRow, capacityStep, searchCapacity, whyNotHeld } from "./checks/capacity.js";
import { measureOverhead, overheadRow } from "./checks/frontend-overhead.js";
import { allHeld, guarded, verdict, type CheckResult } from "./checks/result.js";
import { http3Check, serviceChecks } from "./checks/service.js";
import { fastEndpointChecks, otherEndpointChecks, rateHeldCheck } from "./checks/sla.js";
import { planOf, runDrill, type DrillOutcome, type DrillPlan } from "./drills/drill.js";
import { waitHealthy, type HealthTargets } from "./drills/health.js";
import { drillPlans, healthTargets, processesPerNode } from "./drills/plans.js";
import { HttpClient } from "./driver/http.js";
import { runOpenLoad } from "./driver/open-load.js";
import { SampleLog } from "./driver/samples.js";
import type { LoadContext } from "./load/context.js";
import { LIST_ENDPOINTS, isListEndpoint, startListLoop, type ListEndpoint } from "./load/list-loop.js";
import { deleteCreated, mixJob } from "./load/mix.js";
import { chooseProfile, HEALTH_WAIT_S } from "./profiles.js";
import { renderHtml, type ReportMeta } from "./report/html.js";
import { renderTable } from "./report/table.js";
import { Database } from "./target/database.js";
import { defaultUrl, inventoryPath, loadInventory, nodesOf } from "./target/inventory.js";
import { DbCluster } from "./target/patroni.js";

const ROOT = path.resolve(__dirname, "..");

function say(message: string): void {
  process.stderr.write(`    ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** Waits for a healthy installation before `what`; a row in the table only when it is not. */
async function healthGate(targets: HealthTargets, what: string): Promise<CheckResult | undefined> {
  const wait = await waitHealthy(targets, HEALTH_WAIT_S);
  say(wait.ok ? `  healthy before ${what} (${wait.seconds.toFixed(0)} s)` : `  NOT healthy before ${what}: ${wait.problems.join("; ")}`);
  if (wait.ok) return undefined;
  return {
    check: `installation healthy before ${what}`,
    verdict: "FAIL",
    figure: `not healthy within ${HEALTH_WAIT_S} s: ${wait.problems.join("; ")}`,
    requirement: "every bingo process of both app nodes answers pong directly, the public /ping answers pong",
  };
}

async function main(): Promise<number> {
  const profile = chooseProfile(process.env.PROFILE, process.env.DRILLS, process.env.BREAK_RATE);
  const inventory = loadInventory(inventoryPath(ROOT));
  const url = new URL(process.env.URL || defaultUrl(inventory));
  const reportDir = path.resolve(ROOT, process.env.REPORT_DIR ?? "reports");
  say(`target ${url.origin} (${inventory.kind} inventory ${path.relative(ROOT, inventory.path)}), profile ${profile.name}`);

  // The database is read on the DB cluster's current leader, whichever node that is.
  const cluster = new DbCluster(nodesOf(inventory, "db"));
  const db = new Database(cluster);
  const ranges = await db.initialIds();
  const max = await db.maxIds();
  say(`initial data: ids up to ${ranges.movies} movies, ${ranges.customers} customers, ${ranges.sessions} sessions (max ids now ${max.movies}/${max.customers}/${max.sessions}); checksumming the initial rows`);
  const digestBefore = await db.initialRowsDigest(ranges);

  const originMs = performance.now();
  const startedAt = new Date();
  const client = new HttpClient(url.origin, { connections: 256, timeoutMs: 10_000 });
  const ctx: LoadContext = { client, log: new SampleLog(), originMs, originEpochMs: Date.now(), ranges, created: new Set(), longDummy: [] };
  const results: CheckResult[] = [];
  const phases: ReportMeta["phases"] = [];
  const offered: ReportMeta["offered"] = [];
  const health = await healthTargets(inventory, url);

  say("checks on the nodes and from outside");
  results.push(...(await nodeChecks(inventory)), ...(await serviceChecks(url)), ...(await http3Check(inventory, url)));

  // The list endpoints run one at a time, alongside every load phase and drill.
  // Their first answers are compared with the database only after the load: the queries
  // (over SSH, a count over millions of rows) would otherwise slow the measured phases.
  const firstListAnswers = new Map<ListEndpoint, string>();
  const lists = startListLoop(ctx, url.origin, (endpoint, body) => firstListAnswers.set(endpoint, body), profile.phases[0].name);
  const drills: DrillOutcome[] = [];
  try {
    const gate = await healthGate(health, "the load phases");
    if (gate) results.push(gate);
    for (const phase of profile.phases) {
      say(`load: ${phase.name} ${phase.rate} RPS for ${phase.durationS} s`);
      lists.phase = phase.name;
      const startS = (performance.now() - originMs) / 1000;
      const result = await runOpenLoad({
        rate: phase.rate,
        durationS: phase.durationS,
        maxInFlight: phase.rate * 30,
        job: mixJob(ctx, phase.name),
        onShed: (due) => ctx.log.add({ endpoint: "shed", phase: phase.name, startMs: due - originMs, latencyMs: 0, status: 0, ok: false, error: "shed" }),
      });
      phases.push({ name: `${phase.name} ${phase.rate} RPS`, startS, endS: (performance.now() - originMs) / 1000 });
      offered.push({ fromS: startS, toS: startS + phase.durationS, rate: phase.rate });
      const samples = ctx.log.select((s) => s.phase === phase.name && !isListEndpoint(s.endpoint));
      results.push(rateHeldCheck(phase.name, phase.rate, phase.durationS, result, samples));
      results.push(...fastEndpointChecks(samples, `${phase.rate} RPS`));
    }
    results.push(...otherEndpointChecks(ctx.log.select((s) => profile.phases.some((p) => p.name === s.phase))));
    results.push(longDummyCheck(ctx));

    say("correctness: freshness, answers vs rows, session round trip");
    results.push(...(await freshnessCheck(ctx, url.origin)));
    const single = new HttpClient(url.origin, { connections: 2, timeoutMs: 15_000 });
    try {
      results.push(...(await answersMatchRows(ctx, db, (p) => single.send("GET", p))));
      results.push(...(await sessionRoundTrip(ctx, db, (m, p, b) => single.send(m, p, b))));
    } finally {
      await single.close();
    }

    if (profile.overhead || profile.capacity) {
      const gate = await healthGate(health, "the overhead and capacity phases");
      if (gate) results.push(gate);
    }
    const sinceOrigin = () => (performance.now() - originMs) / 1000;
    if (profile.overhead) {
      const plan = profile.overhead;
      // Straight to the first process of the first app node (its first host port).
      const app = health.apps[0];
      say(`frontend overhead: reads by id at ${plan.rate} RPS, ${plan.durationS} s through the frontend and ${plan.durationS} s straight to ${app.node.name} (${app.url}), in alternating rounds`);
      lists.phase = "overhead";
      const row = await guarded("frontend overhead", "p90 overhead within 5 ms", async () => {
        const { front, direct } = await measureOverhead(ctx, plan, { name: app.node.name, url: app.url }, (name, startMs, endMs) => {
          phases.push({ name, startS: startMs / 1000, endS: endMs / 1000 });
          offered.push({ fromS: startMs / 1000, toS: endMs / 1000, rate: plan.rate });
        });
        return overheadRow(front, direct, app.node.name, plan);
      });
      results.push(...row);
      say(`  ${row[0].figure}`);
    }
    if (profile.capacity) {
      const plan = profile.capacity;
      lists.phase = "capacity";
      const row = await guarded("capacity", "highest step that held", async () => {
        const search = await searchCapacity(capacityRates(plan), async (rate) => {
          say(`capacity: uncached mix at ${rate} RPS for ${plan.stepS} s`);
          const startS = sinceOrigin();
          const figures = await capacityStep(ctx, `capacity:${rate}`, rate, plan.stepS);
          phases.push({ name: `capacity ${rate} RPS`, startS, endS: sinceOrigin() });
          offered.push({ fromS: startS, toS: startS + plan.stepS, rate });
          say(`  ${whyNotHeld(figures) ?? "held"}`);
          return figures;
        }, plan.finestStepRate);
        return capacityRow(search, plan, new Set(health.apps.map((a) => a.node)).size, processesPerNode(health));
      });
      results.push(...row);
      say(`  ${row[0].figure}`);
    }

    if (profile.drills.length) {
      const t = profile.drillTiming;
      const planned = await drillPlans(inventory, ROOT, profile.drills, { cluster, db, holdS: t.dbHoldS });
      for (const drill of planned) {
        lists.phase = `drill:${drill.name}`;
        const gate = await healthGate(health, `drill ${drill.name}`);
        if (gate) {
          results.push({ ...gate, check: `fault tolerance: ${drill.what}`, figure: `not run: ${gate.figure}` });
          continue;
        }
        let plan: DrillPlan;
        try {
          plan = await planOf(drill);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          say(`  NOT run: ${why}`);
          results.push({ check: `fault tolerance: ${drill.what}`, verdict: "FAIL", figure: `not run: ${why}`, requirement: "what the drill breaks found, in a healthy state" });
          continue;
        }
        say(`drill ${plan.name}: ${plan.what} after ${t.breakAtS} s at ${t.peakRate} RPS; ${t.steadyRate} RPS until it serves again (+${t.settleS} s), then ${t.peakRate} RPS for ${t.peakAfterS} s`);
        const startS = (performance.now() - originMs) / 1000;
        const outcome = await runDrill(ctx, db, ranges, plan, t, health, inventory.nodes);
        const endS = (performance.now() - originMs) / 1000;
        phases.push({ name: `drill ${plan.name}`, startS, endS });
        outcome.rateSteps.forEach((step, k, all) => offered.push({ fromS: step.atMs / 1000, toS: k + 1 < all.length ? all[k + 1].atMs / 1000 : outcome.loadEndMs / 1000, rate: step.rate }));
        if (plan.afterwards && !(await plan.afterwards())) {
          outcome.result = { ...outcome.result, verdict: "FAIL", details: `${plan.afterwardsWhat ?? "the broken part"}: not back within the wait after the drill` };
        }
        drills.push(outcome);
        results.push(outcome.result, ...outcome.more);
        for (const row of [outcome.result, ...outcome.more]) say(`  ${row.verdict}: ${row.figure}`);
      }
    }
  } finally {
    await lists.stop();
  }
  for (const endpoint of LIST_ENDPOINTS) {
    const body = firstListAnswers.get(endpoint);
    const problems = body === undefined ? ["no successful answer to inspect"] : await listAnswerMatches(db, endpoint, body).catch((e: unknown) => [String(e)]);
    results.push({ check: `${endpoint} works correctly`, verdict: verdict(problems.length === 0), figure: problems.length ? `${problems.length} problem(s)` : "row count and sampled rows equal the database", requirement: "list = database rows (<= 100000)", details: problems.slice(0, 3).join("; ") || undefined });
  }

  // Whatever the suite created and could not delete under load goes now.
  for (const id of [...ctx.created]) await deleteCreated(ctx, "cleanup", id).catch(() => undefined);
  await client.close();
  say("checksumming the initial rows again");
  results.push(initialRowsCheck(digestBefore, await db.initialRowsDigest(ranges)));
  if (ctx.created.size) results.push({ check: "suite cleaned up its sessions", verdict: "FAIL", figure: `${ctx.created.size} left: ${[...ctx.created].slice(0, 10).join(", ")}`, requirement: "every created session deleted" });

  const durationS = (performance.now() - originMs) / 1000;
  const markers = drills.flatMap((d) => d.markers.map((m) => ({ x: m.atMs / 1000, label: m.label })));
  const meta: ReportMeta = { url: url.origin, profile: profile.name, startedAt: startedAt.toISOString(), durationS, phases, offered };
  mkdirSync(reportDir, { recursive: true });
  const summaries = ctx.log.byEndpoint();
  writeFileSync(
    path.join(reportDir, "acceptance.json"),
    JSON.stringify(
      {
        ...meta,
        passed: allHeld(results),
        checks: results,
        endpoints: summaries,
        drills: drills.map(({ result: _r, more: _m, ...d }) => d),
        series: Object.fromEntries([...new Set(ctx.log.samples.map((s) => s.endpoint))].map((e) => [e, ctx.log.perSecond((s) => s.endpoint === e)])),
      },
      null,
      1,
    ),
  );
  writeFileSync(path.join(reportDir, "acceptance.html"), renderHtml(meta, results, ctx.log, markers, drills));
  console.log(renderTable(results));
  console.log(`\nreports: ${path.relative(process.cwd(), path.join(reportDir, "acceptance.html"))}, ${path.relative(process.cwd(), path.join(reportDir, "acceptance.json"))}`);
  return allHeld(results) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`acceptance: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);

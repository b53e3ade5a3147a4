// The self-contained HTML report: the verdict table and charts over time (RPS,
// latency percentiles, errors, each per endpoint), with the failover moments marked.
import type { CheckResult } from "../checks/result.js";
import type { SampleLog } from "../driver/samples.js";
import type { DrillOutcome } from "../drills/drill.js";
import { classCounts, FAILURE_CLASSES } from "../drills/failed-requests.js";
import { lineChart, PALETTE, type ChartMarker, type Series } from "./svg.js";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

export interface ReportMeta {
  url: string;
  profile: string;
  startedAt: string;
  durationS: number;
  phases: { name: string; startS: number; endS: number }[];
  /** The rate the driver offered, as steps (drills lower it while a node is down). */
  offered: { fromS: number; toS: number; rate: number }[];
}

/** The offered rate as a step line, 0 between loads. */
function offeredPoints(offered: ReportMeta["offered"]): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  for (const o of [...offered].sort((a, b) => a.fromS - b.fromS)) {
    const last = points[points.length - 1];
    if (last && o.fromS - last.x > 0.5) points.push({ x: last.x, y: 0 }, { x: o.fromS, y: 0 });
    points.push({ x: o.fromS, y: o.rate }, { x: o.toS, y: o.rate });
  }
  return points;
}

/** A drill with thousands of failures is explained by its first ones; the JSON report keeps all. */
const FAILURES_LISTED = 1_000;

export type DrillFailures = Pick<DrillOutcome, "name" | "what" | "failedRequests" | "accessLogProblems">;

/** Per drill, every failed request: time from the break, endpoint, status or error, node, class. */
function drillFailuresHtml(drills: readonly DrillFailures[]): string {
  if (!drills.length) return "";
  const sections = drills.map((d) => {
    const head = `<h3>${esc(d.name)}: ${esc(d.what)}</h3><p>${d.failedRequests.length} failed: ${esc(classCounts(d.failedRequests))}${
      d.accessLogProblems.length ? `<br><small>access log not read, so "node unknown": ${esc(d.accessLogProblems.join("; "))}</small>` : ""
    }</p>`;
    if (!d.failedRequests.length) return head;
    const rows = d.failedRequests
      .slice(0, FAILURES_LISTED)
      .map(
        (f) =>
          `<tr><td>${f.atS >= 0 ? "+" : ""}${f.atS.toFixed(3)} s</td><td>${esc(f.sample.endpoint)}${f.sample.path ? `<br><small>${esc(f.sample.path)}</small>` : ""}</td><td>${esc(f.sample.status ? String(f.sample.status) : (f.sample.error ?? "error"))}</td><td>${f.sample.latencyMs.toFixed(0)} ms</td><td>${esc(f.node)}</td><td>${esc(FAILURE_CLASSES[f.class])}</td></tr>`,
      )
      .join("\n");
    const more = d.failedRequests.length > FAILURES_LISTED ? `<p>... and ${d.failedRequests.length - FAILURES_LISTED} more (reports/acceptance.json lists all).</p>` : "";
    return `${head}<table><tr><th>from the break</th><th>endpoint</th><th>status or error</th><th>after</th><th>served by (frontend -> app node status)</th><th>class</th></tr>\n${rows}\n</table>${more}`;
  });
  return `<h2>Failed requests in the drills</h2>
<p>Time: the request's intended start relative to the break. Served by: the frontend's access log line with the same method, path and status while the request was out (upstreams tried, in order, with their status); a request with no answer has no node.</p>
${sections.join("\n")}`;
}

export function renderHtml(meta: ReportMeta, results: readonly CheckResult[], log: SampleLog, markers: readonly ChartMarker[], drills: readonly DrillFailures[] = []): string {
  const endpoints = [...new Set(log.samples.map((s) => s.endpoint))].sort();
  // A loop, not Math.max(...samples): a full run logs more samples than a call takes arguments.
  let lastStartMs = 1000;
  for (const s of log.samples) lastStartMs = Math.max(lastStartMs, s.startMs);
  const xMax = Math.ceil(lastStartMs / 1000);
  const perEndpoint = endpoints.map((e, i) => ({ e, color: PALETTE[i % PALETTE.length], points: log.perSecond((s) => s.endpoint === e) }));
  const all = log.perSecond((s) => s.endpoint !== "shed");
  const phaseMarkers: ChartMarker[] = meta.phases.map((p) => ({ x: p.startS, label: p.name }));
  const marks = [...phaseMarkers, ...markers];
  const series = (pick: (p: (typeof all)[number]) => number): Series[] => perEndpoint.map(({ e, color, points }) => ({ name: e, color, points: points.map((p) => ({ x: p.second, y: pick(p) })) }));
  const charts = [
    lineChart(
      "Requests per second (all endpoints) and the offered rate",
      "RPS",
      [
        { name: "offered rate", color: "#7f7f7f", points: offeredPoints(meta.offered) },
        { name: "sent (by due time)", color: "#1f77b4", points: all.map((p) => ({ x: p.second, y: p.count })) },
        { name: "errors", color: "#d62728", points: all.map((p) => ({ x: p.second, y: p.errors })) },
      ],
      marks,
      xMax,
    ),
    lineChart("Latency percentiles (all endpoints)", "ms", [
      { name: "p50", color: "#2ca02c", points: all.map((p) => ({ x: p.second, y: p.p50 })) },
      { name: "p90", color: "#ff7f0e", points: all.map((p) => ({ x: p.second, y: p.p90 })) },
      { name: "p99", color: "#d62728", points: all.map((p) => ({ x: p.second, y: p.p99 })) },
    ], marks, xMax),
    lineChart("RPS per endpoint", "RPS", series((p) => p.count), marks, xMax),
    lineChart("Errors per second per endpoint", "errors/s", series((p) => p.errors), marks, xMax),
    lineChart("p90 latency per endpoint", "ms", series((p) => p.p90), marks, xMax),
    lineChart("p99 latency per endpoint", "ms", series((p) => p.p99), marks, xMax),
  ];
  const passed = results.filter((r) => r.verdict === "PASS").length;
  const rows = results
    .map((r) => `<tr class="${r.verdict}"><td>${esc(r.check)}</td><td>${r.verdict}</td><td>${esc(r.figure)}${r.details ? `<br><small>${esc(r.details)}</small>` : ""}</td><td>${esc(r.requirement)}</td></tr>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acceptance report: ${esc(meta.url)}</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222}
table{border-collapse:collapse;font-size:13px;margin-bottom:24px}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
tr.PASS td:nth-child(2){color:#161;font-weight:bold} tr.FAIL td:nth-child(2){color:#b00;font-weight:bold} tr.MISS td:nth-child(2){color:#a60;font-weight:bold}
svg{display:block;margin:12px 0;border:1px solid #eee}
</style></head><body>
<h1>Acceptance report</h1>
<p>Target <b>${esc(meta.url)}</b>, profile <b>${esc(meta.profile)}</b>, started ${esc(meta.startedAt)}, ${meta.durationS.toFixed(0)} s.
<b>${passed}/${results.length}</b> checks passed. Times on the charts are seconds since the start; red dashed lines mark phases, failover moments and changes of the offered rate (grey line).</p>
<table><tr><th>check</th><th>verdict</th><th>figure</th><th>requirement</th></tr>
${rows}
</table>
${drillFailuresHtml(drills)}
${charts.join("\n")}
</body></html>
`;
}

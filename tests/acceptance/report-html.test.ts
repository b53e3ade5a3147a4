// The HTML report of a long run: a full profile logs a few hundred thousand requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderHtml } from "../../acceptance/report/html.js";
import { SampleLog } from "../../acceptance/driver/samples.js";

test("the report renders a run of 300,000 requests, its chart as long as the run", () => {
  const log = new SampleLog();
  for (let i = 0; i < 300_000; i++) {
    log.add({ endpoint: "GET /api/movie/{id}", phase: "steady", startMs: i * 5, latencyMs: 3, status: 200, ok: true });
  }
  const meta = { url: "http://127.0.0.1", profile: "full", startedAt: "2026-01-05T10:00:00Z", durationS: 1500, phases: [{ name: "steady", startS: 0, endS: 1500 }], offered: [{ fromS: 0, toS: 1500, rate: 200 }] };
  const html = renderHtml(meta, [], log, []);
  assert.ok(html.includes("<svg"), "the report has its charts");
  assert.ok(html.includes(">1400s<"), "the time axis reaches the run's last minutes (1,500 s)");
});

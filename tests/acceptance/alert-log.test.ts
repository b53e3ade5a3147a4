// The frontends' alert log: Alertmanager's webhook notifications, one per line, read
// for the alert a DB drill expects (PatroniMemberDown for the killed node).
import { test } from "node:test";
import assert from "node:assert/strict";
import { alertSeen, parseAlertLog } from "../../acceptance/drills/alert-log.js";

// The break came at 10:00:00Z; the node was restored at 10:01:10Z.
const BREAK = Date.parse("2026-01-05T10:00:00Z");

const alert = (status: string, instance: string, startsAt: string, endsAt = "0001-01-01T00:00:00Z", alertname = "PatroniMemberDown") => ({
  status,
  labels: { alertname, instance, job: "patroni", severity: "critical" },
  annotations: { summary: `Patroni on ${instance} does not answer` },
  startsAt,
  endsAt,
  generatorURL: "http://frontend1:9090/graph",
  fingerprint: "0123456789abcdef",
});
/** One notification as Alertmanager's webhook sends it (version 4), on one line. */
const notification = (status: string, ...alerts: object[]) =>
  JSON.stringify({ receiver: "bingo-alert-log", status, alerts, groupLabels: { alertname: "PatroniMemberDown" }, commonLabels: {}, externalURL: "http://frontend1:9093", version: "4", groupKey: "{}:{}" });

test("every alert of every notification is read; lines that are not one are skipped", () => {
  const log = [
    notification("firing", alert("firing", "db1", "2026-01-05T10:00:41.123456789Z"), alert("firing", "db1", "2026-01-05T10:00:45Z", undefined, "EtcdMemberDown")),
    "not json at all",
    '{"status": "firing"}',
    "",
    notification("resolved", alert("resolved", "db1", "2026-01-05T10:00:41.123456789Z", "2026-01-05T10:01:31.5Z")),
  ].join("\n");
  const events = parseAlertLog("frontend2", log);
  assert.equal(events.length, 3);
  assert.deepEqual(events[0], { frontend: "frontend2", status: "firing", alertname: "PatroniMemberDown", instance: "db1", startsMs: BREAK + 41_123, endsMs: Date.parse("0001-01-01T00:00:00Z") });
  assert.equal(events[1].alertname, "EtcdMemberDown");
  assert.equal(events[2].endsMs, BREAK + 91_500);
});

test("the killed node's alert counts once it fired and resolved, both starting after the break", () => {
  const events = [
    ...parseAlertLog("frontend1", notification("firing", alert("firing", "db1", "2026-01-05T10:00:41Z"))),
    ...parseAlertLog("frontend2", notification("resolved", alert("resolved", "db1", "2026-01-05T10:00:41Z", "2026-01-05T10:01:31Z"))),
  ];
  assert.deepEqual(alertSeen(events, "PatroniMemberDown", "db1", BREAK), { firedMs: BREAK + 41_000, resolvedMs: BREAK + 91_000, frontends: ["frontend1", "frontend2"] });
  assert.deepEqual(alertSeen(events, "PatroniMemberDown", "db2", BREAK), { firedMs: undefined, resolvedMs: undefined, frontends: [] }, "another node's alert");
  assert.deepEqual(alertSeen(events, "EtcdMemberDown", "db1", BREAK).frontends, [], "another alert");
});

test("an alert from an earlier drill does not count, and firing alone is not resolved", () => {
  const earlier = parseAlertLog("frontend1", notification("resolved", alert("resolved", "db1", "2026-01-05T09:50:00Z", "2026-01-05T09:52:00Z")));
  const firing = parseAlertLog("frontend1", notification("firing", alert("firing", "db1", "2026-01-05T10:00:30Z")));
  const seen = alertSeen([...earlier, ...firing], "PatroniMemberDown", "db1", BREAK);
  assert.equal(seen.firedMs, BREAK + 30_000);
  assert.equal(seen.resolvedMs, undefined);
  assert.equal(alertSeen(parseAlertLog("frontend1", notification("firing", alert("firing", "db1", "2026-01-05T09:59:59.500Z"))), "PatroniMemberDown", "db1", BREAK).firedMs, BREAK - 500, "1 s of clock difference is allowed");
});

// The alerts the installation sent, as the frontends' webhook receiver logged them:
// one line per Alertmanager notification, its webhook payload as is
//   {"status": "firing", "alerts": [{"status": "firing", "labels": {"alertname":
//    "PatroniMemberDown", "instance": "db1", ...}, "startsAt": "...", "endsAt": "..."}], ...}
// Alertmanager runs clustered on every frontend and each sends to its own receiver, so
// a notification may be in either log: both are read.
import type { InventoryNode } from "../target/inventory.js";
import { runOn } from "../target/ssh.js";

export const ALERT_LOG = "/var/log/bingo-alerts/alerts.log";
/** Lines read from the end of each log: far more notifications than one drill causes. */
const TAIL_LINES = 5_000;

export interface AlertEvent {
  /** The frontend whose log holds it. */
  frontend: string;
  /** The alert's own status in this notification: "firing" or "resolved". */
  status: string;
  alertname: string;
  instance: string;
  /** Alertmanager's startsAt (when Prometheus fired it) and endsAt (when it resolved; meaningless while firing), epoch ms. */
  startsMs: number;
  endsMs: number;
}

/** The alerts of every notification in a log's text; lines that are not a notification are skipped. */
export function parseAlertLog(frontend: string, text: string): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let payload: unknown;
    try {
      payload = JSON.parse(line);
    } catch {
      continue;
    }
    const alerts = (payload as { alerts?: unknown } | null)?.alerts;
    if (!Array.isArray(alerts)) continue;
    for (const a of alerts as unknown[]) {
      const alert = (a ?? {}) as { status?: unknown; labels?: Record<string, unknown>; startsAt?: unknown; endsAt?: unknown };
      const text = (v: unknown) => (typeof v === "string" ? v : "");
      events.push({
        frontend,
        status: text(alert.status),
        alertname: text(alert.labels?.alertname),
        instance: text(alert.labels?.instance),
        startsMs: Date.parse(text(alert.startsAt)),
        endsMs: Date.parse(text(alert.endsAt)),
      });
    }
  }
  return events;
}

export interface AlertSeen {
  /** startsAt of the earliest matching firing alert (epoch ms), if one was logged. */
  firedMs?: number;
  /** endsAt of the latest matching resolved alert (epoch ms), if one was logged. */
  resolvedMs?: number;
  /** The frontends whose logs held a matching alert. */
  frontends: string[];
}

/**
 * The alert named alertname for instance that started after sinceMs (less skewMs of
 * clock difference between the nodes and the tester): when it fired, and when it
 * resolved, as far as the logged notifications tell.
 */
export function alertSeen(events: readonly AlertEvent[], alertname: string, instance: string, sinceMs: number, skewMs = 1_000): AlertSeen {
  const mine = events.filter((e) => e.alertname === alertname && e.instance === instance && e.startsMs >= sinceMs - skewMs);
  const firing = mine.filter((e) => e.status === "firing");
  const resolved = mine.filter((e) => e.status === "resolved" && Number.isFinite(e.endsMs));
  return {
    firedMs: firing.length ? Math.min(...firing.map((e) => e.startsMs)) : undefined,
    resolvedMs: resolved.length ? Math.max(...resolved.map((e) => e.endsMs)) : undefined,
    frontends: [...new Set(mine.map((e) => e.frontend))].sort(),
  };
}

export interface AlertLogRead {
  events: AlertEvent[];
  /** Frontends whose log could not be read, with why. */
  problems: string[];
}

/**
 * The alerts in every frontend's log. A log that does not exist yet holds nothing (the
 * receiver creates it with its first notification); a frontend that cannot be read is
 * named in problems, never thrown.
 */
export async function readAlertLogs(frontends: readonly InventoryNode[]): Promise<AlertLogRead> {
  const command = `f=${ALERT_LOG}; sudo test -e "$f" || exit 0; sudo tail -n ${TAIL_LINES} "$f"`;
  const reads = await Promise.all(
    frontends.map(async (node) => {
      const r = await runOn(node, command, 30_000).catch((err: unknown) => ({ code: -1, stdout: "", stderr: String(err) }));
      if (r.code !== 0) return { events: [], problem: `${node.name}: exited ${r.code}: ${(r.stderr.trim() || r.stdout.trim()).slice(0, 200)}` };
      return { events: parseAlertLog(node.name, r.stdout), problem: undefined };
    }),
  );
  return { events: reads.flatMap((r) => r.events), problems: reads.flatMap((r) => (r.problem ? [r.problem] : [])) };
}

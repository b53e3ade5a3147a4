// What a DB drill asks of the writes: when they succeed again after the break, and
// that every write the service acknowledged is still there once the cluster is whole.
import type { Sample } from "../driver/samples.js";
import { SESSION_DELETE, SESSION_POST } from "../load/mix.js";

/**
 * The sessions the drill's load created and what became of them. Every acknowledged
 * write (a 2xx to POST /api/session with its id: 201 by the contract) is recorded;
 * every second one is kept, the others are deleted at once as in the usual mix (so
 * DELETEs meet the break too). A row must exist afterwards unless the load sent a
 * DELETE for it: one that succeeded took it away, one that failed may have.
 */
export class WriteLedger {
  /** id -> when the acknowledgment came (ms since the suite's origin). */
  private readonly acknowledged = new Map<number, number>();
  /** id -> whether its DELETE succeeded (2xx). */
  private readonly deletes = new Map<number, boolean>();

  /** Records an acknowledged write; returns whether the load keeps it (true) or deletes it now. */
  acknowledge(id: number, atMs: number): boolean {
    this.acknowledged.set(id, atMs);
    return this.acknowledged.size % 2 === 1;
  }

  /** Records the load's DELETE of an acknowledged write and whether it succeeded. */
  deleted(id: number, ok: boolean): void {
    this.deletes.set(id, ok);
  }

  /** The ids that must exist: acknowledged, and no DELETE sent for them. */
  mustExist(): number[] {
    return [...this.acknowledged.keys()].filter((id) => !this.deletes.has(id));
  }

  /** How the acknowledged writes divide around the break, and which of those that must exist are not in found. */
  account(found: ReadonlySet<number>, breakAtMs: number): WriteAccount {
    const ids = [...this.acknowledged];
    const must = this.mustExist();
    return {
      acknowledged: ids.length,
      beforeBreak: ids.filter(([, at]) => at < breakAtMs).length,
      afterBreak: ids.filter(([, at]) => at >= breakAtMs).length,
      deleted: [...this.deletes.values()].filter(Boolean).length,
      deleteFailed: [...this.deletes.values()].filter((ok) => !ok).length,
      lookedFor: must.length,
      missing: must.filter((id) => !found.has(id)).sort((a, b) => a - b),
    };
  }
}

export interface WriteAccount {
  acknowledged: number;
  /** Acknowledged before the break / from the break on. */
  beforeBreak: number;
  afterBreak: number;
  /** Deleted by the load with a DELETE that succeeded. */
  deleted: number;
  /** The load's DELETE failed: the row may or may not be there, so it is not looked for. */
  deleteFailed: number;
  /** Acknowledged and never deleted: these must exist. */
  lookedFor: number;
  /** Of those, the ids with no row: lost writes. */
  missing: number[];
}

/** "612 acknowledged (300 before the break, 312 after): 306 looked for, all found (305 deleted by the load, 1 DELETE failed: not looked for)". */
export function writeAccountFigure(a: WriteAccount): string {
  const found = a.missing.length ? `${a.missing.length} MISSING (${a.missing.slice(0, 10).join(", ")}${a.missing.length > 10 ? ", ..." : ""})` : "all found";
  const deletes = `${a.deleted} deleted by the load${a.deleteFailed ? `, ${a.deleteFailed} DELETE failed: not looked for` : ""}`;
  return `${a.acknowledged} writes acknowledged (${a.beforeBreak} before the break, ${a.afterBreak} after): ${a.lookedFor} looked for, ${found} (${deletes})`;
}

export interface WritesBack {
  /** Seconds from the break until writes succeeded again (0: they never failed; NaN: never again). */
  seconds: number;
  /** The last write that failed after the break, if any. */
  lastFailed?: Sample;
  /** The slowest write that succeeded after the break (ms): writes that stall but succeed show here. */
  slowestOkMs: number;
}

/**
 * When writes (POST /api/session) succeed again after the break: the failed writes that
 * ended after the break are the outage; the last of them (by start) ends it, and writes
 * are back at the first successful answer to a POST started after it (and after the
 * break), all of which succeeded. No failed write: back at once (0 s). A failed write
 * with no POST after it: never (NaN).
 */
export function writesBack(posts: readonly Sample[], breakAtMs: number): WritesBack {
  const endOf = (s: Sample) => s.startMs + s.latencyMs;
  const afterBreak = posts.filter((s) => endOf(s) >= breakAtMs);
  const slowestOkMs = afterBreak.filter((s) => s.ok && s.startMs >= breakAtMs).reduce((m, s) => Math.max(m, s.latencyMs), 0);
  const lastFailed = afterBreak.filter((s) => !s.ok).reduce<Sample | undefined>((last, s) => (!last || s.startMs > last.startMs ? s : last), undefined);
  if (!lastFailed) return { seconds: 0, slowestOkMs };
  const from = Math.max(lastFailed.startMs, breakAtMs);
  const later = afterBreak.filter((s) => s.startMs > from);
  if (!later.length) return { seconds: Number.NaN, lastFailed, slowestOkMs };
  const firstOk = Math.min(...later.map(endOf));
  return { seconds: Math.max(0, firstOk - breakAtMs) / 1000, lastFailed, slowestOkMs };
}

export interface FailedOf {
  failed: number;
  total: number;
}

/**
 * The drill's requests in three kinds: writes (POST and DELETE of /api/session), reads
 * (every GET) and the rest (POST /operation, which reaches no database, and requests
 * the driver shed).
 */
export function failedByKind(samples: readonly Sample[]): { writes: FailedOf; reads: FailedOf; other: FailedOf } {
  const kinds = { writes: { failed: 0, total: 0 }, reads: { failed: 0, total: 0 }, other: { failed: 0, total: 0 } };
  for (const s of samples) {
    const kind = s.endpoint === SESSION_POST || s.endpoint === SESSION_DELETE ? kinds.writes : s.endpoint.startsWith("GET ") ? kinds.reads : kinds.other;
    kind.total++;
    if (!s.ok) kind.failed++;
  }
  return kinds;
}

/** "+12.31 s (500)" for a failed request relative to the break. */
export function failedAt(s: Sample, breakAtMs: number): string {
  const at = (s.startMs - breakAtMs) / 1000;
  return `${at >= 0 ? "+" : ""}${at.toFixed(2)} s (${s.status ? String(s.status) : (s.error ?? "error")})`;
}

// One row of the verdict table.
/**
 * PASS/FAIL: a customer's requirement held or not; MISS: a goal of the installation's
 * own, beyond the requirements (e.g. the frontend's cost), not reached yet. A MISS is
 * reported with its figure but does not fail the run.
 */
export type Verdict = "PASS" | "FAIL" | "MISS";

export interface CheckResult {
  /** The customer's named check (or requirement) this row stands for. */
  check: string;
  verdict: Verdict;
  /** The measured figure behind the verdict. */
  figure: string;
  /** What the figure is compared with. */
  requirement: string;
  /** Anything that explains a failure. */
  details?: string;
}

export function verdict(ok: boolean): Verdict {
  return ok ? "PASS" : "FAIL";
}

/** The verdict of one of the installation's own goals: reached, or missed (not a failure). */
export function goalVerdict(reached: boolean): Verdict {
  return reached ? "PASS" : "MISS";
}

/** Whether a run with these rows passes: no requirement failed (missed goals do not count). */
export const allHeld = (results: readonly CheckResult[]): boolean => results.every((r) => r.verdict !== "FAIL");

/** A check that could not be measured at all fails, with the reason as its figure. */
export async function guarded(check: string, requirement: string, body: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    const r = await body();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [{ check, verdict: "FAIL", figure: "not measured", requirement, details: message.slice(0, 500) }];
  }
}

export const ms = (n: number): string => (Number.isFinite(n) ? `${Math.round(n)} ms` : "n/a");
export const pct = (n: number): string => `${(n * 100).toFixed(2)}%`;

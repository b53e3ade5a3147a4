// One row of the verdict table.
export type Verdict = "PASS" | "FAIL";

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

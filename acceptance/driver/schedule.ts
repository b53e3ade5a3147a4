// A piecewise-constant arrival rate for the open-model driver. Request i is due when
// the integral of the rate since the start reaches i, so changing the rate at some
// moment leaves every earlier due time as it was and the arrivals stay evenly spaced
// within each step. Steps can be added while the load runs (a drill lowers the rate
// when it breaks a node and raises it again once the node serves), never in the past.

export interface RateStep {
  /** ms since the load's start. */
  atMs: number;
  /** Requests per second from atMs on. */
  rate: number;
  /** Arrivals due before atMs (fractional). */
  countAt: number;
}

export class RateSchedule {
  private readonly list: RateStep[];
  /** performance.now() at the load's start; set by the driver. */
  private t0 = Number.NaN;

  constructor(rate: number) {
    RateSchedule.check(rate);
    this.list = [{ atMs: 0, rate, countAt: 0 }];
  }

  private static check(rate: number): void {
    if (!(rate > 0) || rate > 10_000) throw new Error(`a rate must be in (0, 10000] requests per second, got ${rate}`);
  }

  get steps(): readonly RateStep[] {
    return this.list;
  }

  /** Called by the driver when its first request is due. */
  start(t0: number): void {
    this.t0 = t0;
  }

  get startedAt(): number {
    return this.t0;
  }

  /** The rate from atMs (ms since start) on; a time before the last step is moved up to it. */
  setAt(atMs: number, rate: number): RateStep {
    RateSchedule.check(rate);
    const last = this.list[this.list.length - 1];
    const at = Math.max(atMs, last.atMs);
    const step = { atMs: at, rate, countAt: last.countAt + ((at - last.atMs) * last.rate) / 1000 };
    if (at === last.atMs) this.list[this.list.length - 1] = { ...step, countAt: last.countAt };
    else this.list.push(step);
    return this.list[this.list.length - 1];
  }

  /** The rate from now on (the load must have started). */
  setNow(rate: number): RateStep {
    if (Number.isNaN(this.t0)) throw new Error("the load has not started yet");
    return this.setAt(performance.now() - this.t0, rate);
  }

  /** Due time of request i, in ms since the start. */
  dueMs(i: number): number {
    let k = this.list.length - 1;
    while (k > 0 && this.list[k].countAt > i) k--;
    const s = this.list[k];
    return s.atMs + ((i - s.countAt) * 1000) / s.rate;
  }

  rateAt(ms: number): number {
    let k = this.list.length - 1;
    while (k > 0 && this.list[k].atMs > ms) k--;
    return this.list[k].rate;
  }
}

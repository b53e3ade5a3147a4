// The real binary's faults. After its lifetime (20-25 min) the process exits,
// turns degraded (/ping 500 "I feel bad", every other request 500), or leaks
// memory until killed. The schedule is seeded by the wall-clock minute of the
// start, so processes started in the same minute fail together, as observed.
// BINGO_LIFETIME_S=<seconds>[:exit|degraded|leak] shortens the lifetime for
// tests and may pin the kind; otherwise the kind also comes from the seed.
import { Logger } from "./logger";
import { goPanic } from "./go-panic";

export type FaultKind = "exit" | "degraded" | "leak";
const KINDS: FaultKind[] = ["exit", "degraded", "leak"];

export interface FaultPlan {
  lifetimeS: number;
  kind: FaultKind;
  exitCode: number;
  seedMinute: number;
}

/** Small deterministic generator (xorshift32) so equal seeds give equal plans. */
function seededRandom(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

export function planFaults(nowMs: number, override: string | undefined): FaultPlan {
  const seedMinute = Math.floor(nowMs / 60_000);
  const random = seededRandom(seedMinute);
  for (let i = 0; i < 4; i++) random();
  const plan: FaultPlan = {
    lifetimeS: 1200 + Math.floor(random() * 300),
    kind: KINDS[Math.floor(random() * KINDS.length)],
    exitCode: random() < 0.5 ? 0 : 1,
    seedMinute,
  };
  if (override) {
    const [seconds, kind] = override.split(":");
    const lifetime = Number(seconds);
    if (!Number.isFinite(lifetime) || lifetime <= 0) throw new Error(`BINGO_LIFETIME_S must be '<seconds>[:kind]', got '${override}'`);
    plan.lifetimeS = lifetime;
    if (kind !== undefined) {
      if (!KINDS.includes(kind as FaultKind)) throw new Error(`BINGO_LIFETIME_S kind must be one of ${KINDS.join(", ")}`);
      plan.kind = kind as FaultKind;
    }
  }
  return plan;
}

const LEAK_BYTES_PER_TICK = 2 * 1024 * 1024;
const LEAK_TICK_MS = 100;

/** The process-wide fault state the HTTP layer consults on every request. */
export class FaultState {
  degraded = false;
  private leaking = false;
  private readonly leaked: Buffer[] = [];

  constructor(private readonly logger: Logger) {}

  schedule(plan: FaultPlan): void {
    this.logger.info("lifetime scheduled", { ...plan });
    const timer = setTimeout(() => this.trigger(plan), plan.lifetimeS * 1000);
    timer.unref();
  }

  trigger(plan: FaultPlan): void {
    this.logger.error("lifetime is over", { kind: plan.kind });
    if (plan.kind === "exit") {
      process.stderr.write("We all gonna die\n");
      process.exit(plan.exitCode);
    }
    if (plan.kind === "degraded") this.degrade();
    else this.startLeak();
  }

  degrade(): void {
    this.degraded = true;
  }

  /** About 20 MB/s of touched (resident) memory, held forever. */
  startLeak(): void {
    if (this.leaking) return;
    this.leaking = true;
    setInterval(() => this.leaked.push(Buffer.allocUnsafe(LEAK_BYTES_PER_TICK).fill(0x5a)), LEAK_TICK_MS);
  }

  panic(operation: number): never {
    this.logger.error("operation panicked", { operation });
    goPanic(`runtime error: operation ${operation} broke the core`, "core.(*Core).Operation");
  }
}

/** Fault selector of POST /operation: bits 0xF00000000 of the id. */
export function operationFault(operation: number): "leak" | "panic" | "degraded" | undefined {
  const nibble = Math.floor(operation / 2 ** 32) % 16;
  if (nibble === 3) return "leak";
  if (nibble === 4) return "panic";
  if (nibble === 5) return "degraded";
  return undefined;
}

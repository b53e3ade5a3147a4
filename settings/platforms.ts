// What Yandex Cloud accepts for a VM's cores, memory and guaranteed vCPU share on
// each platform (compute/concepts/performance-levels, "Available configurations"),
// and for disk sizes (compute/concepts/disk), so settings the cloud would reject at
// apply time are refused before any API call.

interface Level {
  readonly cores: readonly number[];
  /** RAM per core, GB: allowed range and step. */
  readonly ramPerCore: { readonly min: number; readonly max: number; readonly step: number };
  /** A lower RAM-per-core maximum for some core counts. */
  readonly maxByCores?: Readonly<Record<number, number>>;
}

const evenTo = (max: number) => Array.from({ length: max / 2 }, (_, i) => 2 * (i + 1));

/** Platform -> core fraction (%) -> what the cloud offers. */
export const PLATFORM_LEVELS: Readonly<Record<string, Readonly<Record<number, Level>>>> = {
  "standard-v1": {
    5: { cores: [2, 4], ramPerCore: { min: 0.5, max: 2, step: 0.5 } },
    20: { cores: [2, 4], ramPerCore: { min: 0.5, max: 4, step: 0.5 } },
    100: { cores: [...evenTo(16), 20, 24, 28, 32], ramPerCore: { min: 1, max: 8, step: 1 } },
  },
  "standard-v2": {
    5: { cores: [2, 4], ramPerCore: { min: 0.25, max: 2, step: 0.25 } },
    20: { cores: [2, 4], ramPerCore: { min: 0.5, max: 4, step: 0.5 } },
    50: { cores: [2, 4], ramPerCore: { min: 0.5, max: 4, step: 0.5 } },
    100: { cores: [...evenTo(16), 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80], ramPerCore: { min: 1, max: 16, step: 1 } },
  },
  "standard-v3": {
    20: { cores: [2, 4], ramPerCore: { min: 0.5, max: 4, step: 0.5 } },
    50: { cores: [2, 4], ramPerCore: { min: 0.5, max: 4, step: 0.5 } },
    100: {
      cores: [...evenTo(16), 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64],
      ramPerCore: { min: 1, max: 16, step: 1 },
      maxByCores: { 24: 13, 28: 11, 32: 10, 44: 14, 48: 13, 52: 12, 56: 11, 60: 10, 64: 10 },
    },
  },
};

const SOURCE = "(Yandex Cloud: compute/concepts/performance-levels, Available configurations)";

/** Problems with one VM size on a platform, each naming the setting and the documented limit. */
export function vmSizeProblems(key: string, platform: string, size: { cores: number; memoryGb: number; coreFraction: number }): string[] {
  const levels = PLATFORM_LEVELS[platform];
  if (!levels) return [];
  const level = levels[size.coreFraction];
  if (!level) {
    return [`${key}.core_fraction ${size.coreFraction} is not offered on ${platform}: use one of ${Object.keys(levels).join(", ")} ${SOURCE}`];
  }
  const problems: string[] = [];
  if (!level.cores.includes(size.cores)) {
    problems.push(`${key}.cores ${size.cores} is not offered on ${platform} at ${size.coreFraction}%: use one of ${level.cores.join(", ")} ${SOURCE}`);
  } else {
    const perCore = size.memoryGb / size.cores;
    const { min, step } = level.ramPerCore;
    const max = level.maxByCores?.[size.cores] ?? level.ramPerCore.max;
    const onStep = Math.abs(perCore / step - Math.round(perCore / step)) < 1e-9;
    if (perCore < min || perCore > max || !onStep) {
      problems.push(
        `${key}.memory_gb ${size.memoryGb} is ${perCore} GB per core; ${platform} at ${size.coreFraction}% takes ${min} to ${max} GB per core in steps of ${step}` +
          ` (with ${size.cores} cores: ${size.cores * min} to ${size.cores * max} GB) ${SOURCE}`,
      );
    }
  }
  return problems;
}

/** Disk types whose size must be a multiple of 93 GB (compute/concepts/disk: non-replicated and ultra high-speed disks). */
const ALLOCATION_93 = ["network-ssd-nonreplicated", "network-ssd-io-m3"];

export function diskProblems(key: string, type: string, sizeGb: number): string[] {
  if (ALLOCATION_93.includes(type) && sizeGb % 93 !== 0) {
    return [`${key}.disk_gb ${sizeGb}: a ${type} disk's size is a multiple of 93 GB (compute/concepts/disk), e.g. ${Math.max(93, Math.round(sizeGb / 93) * 93)}`];
  }
  return [];
}

// The availability zones of ru-central1 and how the settings place the tiers in them.

/** The availability zones of ru-central1 (ru-central1-c is closed), in the order defaults take them. */
export const ZONES = ["ru-central1-a", "ru-central1-b", "ru-central1-d"];
export const ZONE = /^ru-central1-[abd]$/;
export const ZONE_HINT = "use ru-central1-a, ru-central1-b or ru-central1-d";

/** zone first, then the other zones in the order of ZONES: the defaults' choice of count zones. */
export const zonesFrom = (zone: string, count: number): string[] => [zone, ...ZONES.filter((z) => z !== zone)].slice(0, count);

/**
 * The zones with a private subnet, in the order private_cidr is cut for them: the
 * app nodes' zone (cloud.zone) first, then each DB zone not yet listed.
 */
export const privateZones = (s: { readonly zone: string; readonly dbZones: readonly string[] }): string[] => [...new Set([s.zone, ...s.dbZones])];

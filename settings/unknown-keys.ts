// Keys of the settings file that no setting reads: misspelt, misplaced or retired.
import { isObject, Raw } from "./raw";

/** Keys that once were settings, with what to do instead. */
const RETIRED: Readonly<Record<string, string>> = {
  db_password: "is no setting any more: Lockbox generates the database password (constructs/vm-secrets.ts); remove it",
};

/** Keys of the settings file that no setting reads: misspelt, misplaced or retired. */
export function unknownKeys(raw: Raw, known: ReadonlySet<string>): string[] {
  const all = [...known];
  const problems: string[] = [];
  const walk = (obj: Raw, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      const hasChildren = all.some((x) => x.startsWith(`${key}.`));
      if (hasChildren && isObject(v)) walk(v, key);
      if (known.has(key) || hasChildren) continue;
      if (RETIRED[key]) {
        problems.push(`${key} ${RETIRED[key]}`);
        continue;
      }
      const sameName = all.filter((x) => x.split(".").pop() === k);
      problems.push(
        sameName.length > 0
          ? `${key} is not a setting here: did you mean ${sameName.join(" or ")}? (it is ignored where it is)`
          : `${key} is not a setting: remove it or fix its name (settings.example.yaml lists them all)`,
      );
    }
  };
  walk(raw, "");
  return problems;
}

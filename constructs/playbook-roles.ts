// The roles a playbook needs, read from the playbook itself: the roles of every
// play, the roles its tasks include or import, and their meta/main.yml
// dependencies, recursively. What a self-configuring VM ships is computed from
// here, so a role added to a playbook can never be left out of the tarball.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

const INCLUDE_ROLE = ["ansible.builtin.include_role", "ansible.builtin.import_role", "include_role", "import_role"];
const TASK_LISTS = ["pre_tasks", "tasks", "post_tasks", "handlers", "block", "rescue", "always"];

/** A role reference as plays and meta dependencies write it: "name" or {role: name} / {name: name}. */
function roleName(ref: unknown): string | undefined {
  if (typeof ref === "string") return ref;
  if (isObject(ref)) {
    const name = ref.role ?? ref.name;
    if (typeof name === "string") return name;
  }
  return undefined;
}

/** Roles named by include_role/import_role anywhere in a task list (blocks included). */
function rolesInTasks(tasks: unknown): string[] {
  if (!Array.isArray(tasks)) return [];
  const found: string[] = [];
  for (const task of tasks) {
    if (!isObject(task)) continue;
    for (const key of INCLUDE_ROLE) {
      const name = roleName(task[key]);
      if (name) found.push(name);
    }
    for (const key of ["block", "rescue", "always"]) found.push(...rolesInTasks(task[key]));
  }
  return found;
}

function readYaml(file: string): unknown {
  return parseYaml(fs.readFileSync(file, "utf8"));
}

/** Roles a role depends on (meta/main.yml dependencies). */
function dependenciesOf(ansibleDir: string, role: string): string[] {
  const meta = path.join(ansibleDir, "roles", role, "meta", "main.yml");
  if (!fs.existsSync(meta)) return [];
  const doc = readYaml(meta);
  const deps = isObject(doc) ? doc.dependencies : undefined;
  return Array.isArray(deps) ? deps.map(roleName).filter((n): n is string => n !== undefined) : [];
}

/**
 * Every role the playbook (relative to ansibleDir) uses, sorted, including
 * imported playbooks and role dependencies. Throws, naming the playbook, when a
 * role it names is not under ansibleDir/roles.
 */
export function rolesOfPlaybook(ansibleDir: string, playbook: string): string[] {
  const direct = new Set<string>();
  const visitPlaybook = (rel: string) => {
    const file = path.resolve(ansibleDir, rel);
    const plays = readYaml(file);
    if (!Array.isArray(plays)) throw new Error(`${rel} is not a list of plays`);
    for (const play of plays) {
      if (!isObject(play)) continue;
      const imported = play["ansible.builtin.import_playbook"] ?? play.import_playbook;
      if (typeof imported === "string") {
        visitPlaybook(path.relative(ansibleDir, path.resolve(path.dirname(file), imported)));
        continue;
      }
      if (Array.isArray(play.roles)) play.roles.map(roleName).forEach((n) => n && direct.add(n));
      for (const key of TASK_LISTS) rolesInTasks(play[key]).forEach((n) => direct.add(n));
    }
  };
  visitPlaybook(playbook);

  const all = new Set<string>();
  const visitRole = (role: string, via: string) => {
    if (all.has(role)) return;
    if (!fs.existsSync(path.join(ansibleDir, "roles", role))) {
      throw new Error(`${playbook} uses role ${role} (${via}), which is not under ${path.join(ansibleDir, "roles")}`);
    }
    all.add(role);
    // Roles a role's own tasks include are needed as much as meta dependencies.
    const tasksDir = path.join(ansibleDir, "roles", role, "tasks");
    const included = fs.existsSync(tasksDir)
      ? fs.readdirSync(tasksDir).filter((f) => /\.ya?ml$/.test(f)).flatMap((f) => rolesInTasks(readYaml(path.join(tasksDir, f))))
      : [];
    for (const dep of [...dependenciesOf(ansibleDir, role), ...included]) visitRole(dep, `a dependency of ${role}`);
  };
  for (const role of direct) visitRole(role, "named in the playbook");
  return [...all].sort();
}

/** The collection of a plugin named in full (namespace.collection.name), unless it is ansible-core's own. */
function collectionOf(name: string): string | undefined {
  const m = /^([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z0-9_]+$/.exec(name.trim());
  if (!m) return undefined;
  const collection = `${m[1]}.${m[2]}`;
  return collection === "ansible.builtin" || collection === "ansible.legacy" ? undefined : collection;
}

/** Collections named by the modules of a task list (blocks included). */
function collectionsInTasks(tasks: unknown, into: Set<string>): void {
  if (!Array.isArray(tasks)) return;
  for (const task of tasks) {
    if (!isObject(task)) continue;
    for (const key of Object.keys(task)) {
      const collection = collectionOf(key);
      if (collection) into.add(collection);
    }
    for (const key of ["block", "rescue", "always"]) collectionsInTasks(task[key], into);
  }
}

/**
 * The collections beyond ansible-core that the roles' tasks and handlers and
 * ansible.cfg's callbacks name, sorted: what a VM that installs only ansible-core
 * must fetch besides. Modules are written by their full names (ansible-lint's
 * fqcn rule), so this finds every one.
 */
export function collectionsOfRoles(ansibleDir: string, roles: readonly string[]): string[] {
  const found = new Set<string>();
  for (const role of roles) {
    for (const sub of ["tasks", "handlers"]) {
      const dir = path.join(ansibleDir, "roles", role, sub);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) collectionsInTasks(readYaml(path.join(dir, f)), found);
    }
  }
  const cfg = path.join(ansibleDir, "ansible.cfg");
  const callbacks = fs.existsSync(cfg) ? /^\s*callbacks_enabled\s*=\s*(.*)$/m.exec(fs.readFileSync(cfg, "utf8")) : null;
  for (const name of callbacks?.[1].split(",") ?? []) {
    const collection = collectionOf(name);
    if (collection) found.add(collection);
  }
  return [...found].sort();
}

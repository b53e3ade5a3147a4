// The app nodes start bingo only once the database is ready: the leader opens pgbouncer's
// port after its data load, new app instances set themselves up meanwhile and wait until
// a query through their own route to the leader answers, and the waits (instance, group health checks, controller) are sized to
// the documented load time.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return
   -- walks the synthesized Terraform JSON and parsed YAML untyped (Json in fixture.ts): the assertions check its shape */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { Json, resources, ROOT, synthesizeBefore } from "./fixture";

describe("the database is ready before the app starts", () => {
  let stacks: Record<string, Json>;
  synthesizeBefore((s) => (stacks = s));

  it("playbooks/db.yml starts pgbouncer only after the initial data is loaded", () => {
    const [play] = parseYaml(fs.readFileSync(path.join(ROOT, "ansible", "playbooks", "db.yml"), "utf8")) as Json[];
    const roles: string[] = play.roles.map((r: Json) => (typeof r === "string" ? r : r.role));
    assert.ok(roles.indexOf("bingo_data") >= 0 && roles.indexOf("bingo_data") < roles.indexOf("pgbouncer"), roles.join(", "));
  });

  it("a new app instance sets itself up meanwhile and waits up to 45 min for the data, through the route bingo uses", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    const userData = parseYaml(ig.instance_template.metadata["user-data"]) as { write_files: { path: string; content: string }[] };
    const inventory: Json = parseYaml(userData.write_files.find((f) => f.path === "/etc/bingo/inventory.yml")!.content);
    assert.equal(inventory.all.children.app.hosts.localhost.bingo_app_db_wait_timeout, 2700);
    const tasks = (file: string) => parseYaml(fs.readFileSync(path.join(ROOT, "ansible", "roles", "bingo_app", "tasks", file), "utf8")) as Json[];
    const main = tasks("main.yml").map((t: Json) => t["ansible.builtin.import_tasks"]);
    assert.ok(main.indexOf("image.yml") < main.indexOf("container.yml"), "the image is built before the wait");
    const wait = tasks("container.yml").find((t: Json) => t.block)!.block[0];
    const query = wait["community.postgresql.postgresql_query"];
    assert.equal(query.login_host, "{{ bingo_app_db_host }}");
    assert.equal(query.login_port, "{{ bingo_app_db_port | int }}");
    assert.match(query.query, /FROM sessions/, "the wait must see the data, not only a port");
    assert.equal(wait.retries, "{{ (bingo_app_db_wait_timeout | int / 3) | int }}");
    const defaults = parseYaml(fs.readFileSync(path.join(ROOT, "ansible", "roles", "bingo_app", "defaults", "main.yml"), "utf8"));
    assert.equal(defaults.bingo_app_db_host, "127.0.0.1", "bingo's own HAProxy, as its config says");
  });

  it("the group's health checks count only after that wait and the instance's own set-up", () => {
    const [ig] = resources(stacks.app, "yandex_compute_instance_group");
    assert.ok(ig.deploy_policy.startup_duration >= 2700 + 600, `startup_duration ${ig.deploy_policy.startup_duration}`);
    assert.equal(ig.max_checking_health_duration, ig.deploy_policy.startup_duration);
    assert.match(ig.timeouts.create, /^\d+m$/);
    assert.ok(parseInt(ig.timeouts.create, 10) * 60 > ig.deploy_policy.startup_duration, "terraform waits longer than a first start");
  });
});

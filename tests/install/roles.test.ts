// What the Ansible roles built, checked on the nodes themselves: the database is
// the application's own and reachable only from the app nodes, the data has its
// indexes, the container runs unprivileged with the customer's config, the start-up
// probe is refused at once, clocks are kept, and nothing can fill a disk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DB_NODES, NODES, bingoPorts, dbLeader, onNode, tcpFrom } from "./support/frontend";

const APPS = ["app1", "app2"];

test("pgbouncer answers the app nodes only; Postgres itself the other members and loopback", async () => {
  for (const db of DB_NODES) {
    for (const node of APPS) assert.equal(await tcpFrom(node, db, 6432), "open", `${node} cannot reach pgbouncer on ${db}`);
    assert.notEqual(await tcpFrom("frontend1", db, 6432), "open", `the frontend reaches pgbouncer on ${db}`);
    for (const node of APPS) assert.notEqual(await tcpFrom(node, db, 5432), "open", `${node} reaches PostgreSQL itself on ${db}`);
  }
  for (const db of DB_NODES) {
    for (const other of DB_NODES.filter((n) => n !== db)) assert.equal(await tcpFrom(other, db, 5432), "open", `${other} cannot replicate from ${db}`);
  }
});

test("bingo uses its own unprivileged role and database, never the postgres superuser", async () => {
  const config = await onNode("app1", "sudo cat /opt/bingo/config.yaml");
  assert.match(config, /user: "bingo"/);
  assert.match(config, /db_name: "bingo"/);
  assert.match(config, /port: 6432/, "the app must go through pgbouncer");
  assert.match(config, /student_email: "[^"]+@[^"]+"/);
  assert.doesNotMatch(config, /test@example\.com/, "the config still holds the default email");
  const role = await onNode(await dbLeader(),
    "sudo -u postgres psql -XAtc \"SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = 'bingo'\"");
  assert.equal(role, "f|f|f");
  const owner = await onNode(await dbLeader(),
    "sudo -u postgres psql -XAtc \"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'bingo'\"");
  assert.equal(owner, "bingo");
});

test("the initial data is loaded once and every query of the API has its index", async () => {
  const counts = await onNode(await dbLeader(),
    "sudo -u postgres psql -XAt -F ' ' -d bingo -c \"SELECT (SELECT count(*) FROM movies), (SELECT count(*) FROM customers), " +
    "(SELECT count(*) FROM sessions WHERE id <= 5000000)\"");
  const [movies, customers, sessions] = counts.split(" ").map(Number);
  assert.ok(movies > 0 && customers > 0 && sessions > 0, `initial rows: ${counts}`);
  const indexes = await onNode(await dbLeader(),
    "sudo -u postgres psql -XAt -d bingo -c \"SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'\"");
  for (const pattern of [
    /ON public\.movies USING btree \(id\)/,
    /ON public\.customers USING btree \(id\)/,
    /ON public\.sessions USING btree \(id\)/,
    /ON public\.movies USING btree \(year DESC, name, id DESC\)/,
    /ON public\.customers USING btree \(surname, name, birthday DESC, id DESC\)/,
    /ON public\.sessions USING btree \(movie_id\)/,
    /ON public\.sessions USING btree \(customer_id\)/,
  ]) {
    assert.match(indexes, pattern);
  }
});

/** The bingo containers of a node, bingo-1, bingo-2, ..., one per published port. */
const containersOf = async (node: string): Promise<string[]> => (await bingoPorts(node)).map((_, i) => `bingo-${i + 1}`);

test("each app node runs two bingo processes, each in a non-root bridged container with a /ping health check and a memory limit", async () => {
  for (const node of APPS) {
    const ports = await bingoPorts(node);
    assert.equal(ports.length, 2, `${node}: ${ports.length} processes`);
    assert.equal(ports[1], ports[0] + 1, `${node}: the processes' host ports are not consecutive`);
    const pids = new Set<string>();
    for (const [i, name] of (await containersOf(node)).entries()) {
      const inspect = await onNode(node,
        `sudo docker inspect -f '{{.Config.User}} {{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.Memory}} {{.State.Health.Status}} {{.HostConfig.ReadonlyRootfs}} {{.State.Pid}}' ${name}`);
      const [user, network, restart, memory, health, readOnly, pid] = inspect.split(" ");
      assert.notEqual(user.split(":")[0], "0", `${node} ${name}: the container runs as root`);
      assert.notEqual(user, "", `${node} ${name}: the container has no user set`);
      assert.match(network, /^(bridge|default)$/, `${node} ${name}: not on Docker's bridge`);
      assert.equal(restart, "always");
      assert.ok(Number(memory) > 0, `${node} ${name}: no memory limit`);
      assert.equal(health, "healthy");
      assert.equal(readOnly, "true");
      pids.add(pid);
      // Its own network namespace: the binary's fixed port inside, published on its own host port.
      const published = await onNode(node, `sudo docker port ${name}`);
      assert.match(published, new RegExp(`^${ports[0]}/tcp -> 0\\.0\\.0\\.0:${ports[i]}$`, "m"), `${node} ${name}: ${published}`);
      assert.equal(await onNode(node, `curl -s -m 3 http://127.0.0.1:${ports[i]}/ping`), "pong");
    }
    assert.equal(pids.size, 2, `${node}: the containers share a process`);
    const processUser = await onNode(node, "ps -o user= -C bingo | sort -u");
    assert.doesNotMatch(processUser, /^root$/m, `${node}: bingo runs as root`);
    assert.equal(await onNode(node, "systemctl is-active bingo-autoheal"), "active");
  }
});

test("the containers reach the database through the bridge's gateway only", async () => {
  for (const node of APPS) {
    const config = await onNode(node, "sudo cat /opt/bingo/config.yaml");
    assert.match(config, /address: "10\.213\.0\.1"\n\s+port: 6432/);
    assert.match(await onNode(node, "sudo ss -Hltn 'sport = :6432'"), /10\.213\.0\.1:6432/);
    assert.match(await onNode(node, "sudo iptables -S BINGO-INPUT"), /-s 10\.213\.0\.0\/24 -p tcp -m tcp --dport 6432 .*-j ACCEPT/);
  }
});

test("the start-up probe is refused at once for every process, so each start-up printed google_dns_is_not_http", async () => {
  for (const node of APPS) {
    const rules = await onNode(node, "sudo iptables -S BINGO-OUTPUT");
    assert.match(rules, /-d 172\.30\.77\.254\/32 -p tcp -m tcp --dport 80 .*-j REJECT --reject-with tcp-reset/);
    assert.equal(await tcpFrom(node, "172.30.77.254", 80), "refused");
    // The containers' own connections are forwarded: refused in BINGO-FORWARD, hooked into DOCKER-USER.
    assert.match(await onNode(node, "sudo iptables -S BINGO-FORWARD"), /-d 172\.30\.77\.254\/32 -p tcp -m tcp --dport 80 .*-j REJECT --reject-with tcp-reset/);
    assert.match(await onNode(node, "sudo iptables -S DOCKER-USER"), /^-A DOCKER-USER -j BINGO-FORWARD$/m);
    for (const name of await containersOf(node)) {
      const logs = await onNode(node, `sudo docker logs ${name} 2>&1 | grep -c google_dns_is_not_http || true`);
      assert.ok(Number(logs) > 0, `${node} ${name}: start-up did not print google_dns_is_not_http`);
    }
  }
});

test("app nodes answer every process's port to the frontend only", async () => {
  for (const port of await bingoPorts("app1")) {
    assert.equal(await tcpFrom("frontend1", "app1", port), "open", `the frontend cannot reach app1:${port}`);
    for (const db of DB_NODES) assert.notEqual(await tcpFrom(db, "app1", port), "open", `${db} reaches bingo on app1:${port}`);
  }
});

test("the frontend balances across every process of every app node", async () => {
  const upstream = await onNode("frontend1", "cat /etc/nginx/bingo-upstream.conf");
  const servers = upstream.split("\n").filter((l) => /^server /.test(l) && !/ backup /.test(l));
  const want = (await Promise.all(APPS.map(async (n) => (await bingoPorts(n)).map((p) => `${n} ${p}`)))).flat();
  assert.equal(servers.length, want.length, upstream);
  for (const port of await bingoPorts("app1")) assert.ok(servers.some((l) => l.includes(`:${port} `)), `no server on port ${port}: ${upstream}`);
});

test("clocks are kept by chrony on every node", async () => {
  for (const node of NODES) {
    assert.equal(await onNode(node, "systemctl is-active chrony"), "active", `${node}: chrony is not running`);
  }
});

test("logs cannot fill a disk: bingo's log is rotated by size, containers' logs are capped", async () => {
  for (const node of APPS) {
    assert.equal(await onNode(node, "systemctl is-active bingo-logrotate.timer"), "active");
    assert.match(await onNode(node, "cat /etc/logrotate.d/bingo"), /size \d+M/);
    const daemon = JSON.parse(await onNode(node, "cat /etc/docker/daemon.json")) as { "log-opts"?: Record<string, string> };
    assert.ok(daemon["log-opts"]?.["max-size"], `${node}: Docker logs are not capped`);
    // Each process has its own log folder, so two processes never append to one file.
    for (const name of await containersOf(node)) {
      const logDir = await onNode(node, `sudo docker inspect -f '{{range .Mounts}}{{.Source}}->{{.Destination}} {{end}}' ${name}`);
      assert.match(logDir, new RegExp(`/var/log/bingo/${name}->/opt/bongo/logs/[0-9a-f]{10}`));
      assert.match(await onNode(node, `sudo ls /var/log/bingo/${name}`), /^main\.log$/m, `${node} ${name}: no main.log of its own`);
    }
    assert.match(await onNode(node, "cat /etc/logrotate.d/bingo"), /\/var\/log\/bingo\/\*\/\*\.log/);
  }
  assert.match(await onNode("frontend1", "cat /etc/logrotate.d/nginx"), /maxsize/);
});

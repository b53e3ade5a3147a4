// The database cluster as the roles built it: three Patroni members over a three-member
// etcd, one leader whose every commit a replica confirms, the app nodes reaching the
// leader through their own HAProxy, and the cluster's ports open only where they must be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DB_NODES, dbLeader, dbMembers, onNode, tcpFrom } from "./support/frontend";

const psql = (sql: string) => `sudo -u postgres psql -XAt -d bingo -c "${sql}"`;

test("three members, one leader, two replicas streaming on its timeline", async () => {
  const members = await dbMembers();
  assert.deepEqual(members.map((m) => m.name).sort(), [...DB_NODES].sort());
  const leaders = members.filter((m) => m.role === "leader");
  assert.equal(leaders.length, 1, `leaders: ${JSON.stringify(members)}`);
  for (const m of members.filter((x) => x.role !== "leader")) {
    assert.equal(m.state, "streaming", `${m.name} is ${m.state}`);
    assert.equal(m.timeline, leaders[0].timeline, `${m.name} is on another timeline`);
  }
});

test("every commit waits for a replica (quorum synchronous replication)", async () => {
  const leader = await dbLeader();
  const names = await onNode(leader, "sudo -u postgres psql -XAtc 'SHOW synchronous_standby_names'");
  assert.match(names, /^ANY 1 \(/, `synchronous_standby_names = ${names}`);
  const replicas = DB_NODES.filter((n) => n !== leader);
  for (const r of replicas) assert.ok(names.includes(r), `${r} is not a synchronous candidate: ${names}`);
});

test("a row written through an app node's route is on every replica at once", async () => {
  const marker = `install-test-${Date.now()}`;
  // Through app1's HAProxy, as bingo writes: the route must lead to the leader.
  const creds = await onNode("app1", "sudo grep -E '^\\s+password:' /opt/bingo/config.yaml");
  const password = /password: "?([^"\n]+)"?/.exec(creds)?.[1];
  assert.ok(password, "no database password in app1's bingo config");
  const leaderSays = await onNode("app1",
    `PGPASSWORD='${password}' python3 -c "import psycopg2; c=psycopg2.connect(host='127.0.0.1', port=6432, user='bingo', dbname='bingo'); ` +
    `c.autocommit=True; cur=c.cursor(); cur.execute('SELECT pg_is_in_recovery()'); print(cur.fetchone()[0]); ` +
    `cur.execute('CREATE TABLE IF NOT EXISTS install_test_marks (mark text)'); cur.execute('INSERT INTO install_test_marks VALUES (%s)', ('${marker}',))"`);
  assert.equal(leaderSays, "False", "app1's route reached a replica");
  try {
    for (const node of DB_NODES) {
      assert.equal(await onNode(node, psql(`SELECT count(*) FROM install_test_marks WHERE mark = '${marker}'`)), "1", `${node} lacks the committed row`);
    }
  } finally {
    const leader = await dbLeader();
    await onNode(leader, psql("DROP TABLE IF EXISTS install_test_marks"));
  }
});

test("etcd: three healthy members, reached by the DB nodes only", async () => {
  const health = await onNode(DB_NODES[0],
    `ETCDCTL_API=3 etcdctl --endpoints=${DB_NODES.map((n) => `http://${n}:2379`).join(",")} endpoint health 2>&1`);
  assert.equal((health.match(/is healthy/g) ?? []).length, 3, health);
  assert.equal(await tcpFrom(DB_NODES[1], DB_NODES[0], 2379), "open");
  assert.notEqual(await tcpFrom("app1", DB_NODES[0], 2379), "open", "an app node reaches etcd");
  assert.notEqual(await tcpFrom("frontend1", DB_NODES[0], 2380), "open", "a frontend reaches etcd's peer port");
});

test("Patroni's API answers the app nodes' health checks; its changing calls need the password", async () => {
  assert.equal(await tcpFrom("app1", DB_NODES[0], 8008), "open");
  const code = await onNode(DB_NODES[0], "curl -s -o /dev/null -w '%{http_code}' -m 5 -X POST -d '{}' http://127.0.0.1:8008/restart");
  assert.equal(code, "401", "an unauthenticated restart was not refused");
});

// The DB cluster as Patroni's /cluster describes it: who leads, who is a replica that
// serves, and when the cluster is whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterProblems, describeMembers, isServingReplica, leaderOf, memberOf, parseCluster } from "../../acceptance/target/patroni.js";

const NODES = [
  { name: "db1", privateAddress: "172.30.77.68" },
  { name: "db2", privateAddress: "172.30.77.84" },
  { name: "db3", privateAddress: "172.30.77.100" },
];

/** What Patroni 4 answers on GET /cluster (trimmed of fields the suite does not read). */
const member = (name: string, host: string, role: string, state: string) =>
  ({ name, role, state, api_url: `http://${host}:8008/patroni`, host, port: 5432, timeline: 2, lag: 0 });
const cluster = (...members: object[]) => JSON.stringify({ members, scope: "bingo" });

test("the leader is the member whose role is leader, whatever the replicas' roles", () => {
  const members = parseCluster(
    cluster(member("db2", "172.30.77.84", "quorum_standby", "streaming"), member("db1", "172.30.77.68", "leader", "running"), member("db3", "172.30.77.100", "replica", "streaming")),
  );
  assert.equal(leaderOf(members)?.name, "db1");
  assert.equal(describeMembers(members), "db2 quorum_standby streaming, db1 leader running, db3 replica streaming");
  assert.equal(leaderOf(parseCluster(cluster(member("db2", "172.30.77.84", "replica", "running")))), undefined, "during a failover there is none");
});

test("anything but Patroni's JSON with a members list is refused, with what came instead", () => {
  assert.throws(() => parseCluster("curl: (7) Failed to connect"), /not the JSON of Patroni's \/cluster: "curl/);
  assert.throws(() => parseCluster('{"scope": "bingo"}'), /no members/);
  assert.deepEqual(parseCluster('{"members": [{"name": "db1"}]}'), [{ name: "db1", role: "", state: "", host: undefined }]);
});

test("a member stands for the inventory node of its name, or else of its address", () => {
  const members = parseCluster(cluster(member("postgresql1", "172.30.77.84", "replica", "streaming")));
  assert.equal(memberOf(members, NODES[1])?.name, "postgresql1");
  assert.equal(memberOf(members, NODES[0]), undefined);
});

test("a restored node counts as back once it is a replica that runs or streams", () => {
  const with3 = (role: string, state: string) => parseCluster(cluster(member("db1", "172.30.77.68", "leader", "running"), member("db3", "172.30.77.100", role, state)));
  assert.equal(isServingReplica(with3("replica", "streaming"), NODES[2]), true);
  assert.equal(isServingReplica(with3("quorum_standby", "running"), NODES[2]), true);
  assert.equal(isServingReplica(with3("replica", "starting"), NODES[2]), false, "still starting");
  assert.equal(isServingReplica(with3("replica", "stopped"), NODES[2]), false);
  assert.equal(isServingReplica(with3("leader", "running"), NODES[2]), false, "a leader is not a replica");
  assert.equal(isServingReplica(parseCluster(cluster(member("db1", "172.30.77.68", "leader", "running"))), NODES[2]), false, "not a member yet");
});

test("the cluster is whole with a leader and every DB node serving; otherwise each gap is named", () => {
  const whole = parseCluster(
    cluster(member("db1", "172.30.77.68", "leader", "running"), member("db2", "172.30.77.84", "quorum_standby", "streaming"), member("db3", "172.30.77.100", "quorum_standby", "streaming")),
  );
  assert.deepEqual(clusterProblems(whole, NODES), []);
  const broken = parseCluster(cluster(member("db2", "172.30.77.84", "replica", "running"), member("db3", "172.30.77.100", "replica", "starting")));
  assert.deepEqual(clusterProblems(broken, NODES), ["no leader", "db1 not a member", "db3 replica starting"]);
});

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { appPorts, loadSettings, SettingsError } from "../../settings";
import { DEFAULT_IMAGE_FAMILY, IMAGE_FAMILY_RELEASE } from "../../settings/images";
import { FIXTURE, fixtureSettings, ROOT } from "./fixture";

const problemsOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SettingsError, `expected a SettingsError, got ${String(err)}`);
    return err.message;
  }
  assert.fail("expected the settings to be rejected");
};

describe("cloud settings", () => {
  it("a complete fixture gives typed settings with the documented defaults", () => {
    const s = fixtureSettings();
    assert.equal(s.folderId, FIXTURE.cloud.folder_id);
    assert.equal(s.app.port, 8765);
    assert.equal(s.app.instances, 2);
    assert.equal(s.app.processes, 2);
    assert.equal(s.imageFamily, "debian-13");
    assert.equal(s.sizes.db.diskType, "network-ssd");
    assert.deepEqual(s.network.sshAllowedCidrs, ["198.51.100.7/32"]);
  });

  it("a missing value is named together with its environment variable and how to fix it", () => {
    const msg = problemsOf(() => fixtureSettings({ cloud: { zone: "ru-central1-a" }, student_email: "" }));
    assert.match(msg, /cloud\.folder_id \(or env YC_FOLDER_ID\) is missing/);
    assert.match(msg, /student_email \(or env BINGO_STUDENT_EMAIL\) is missing/);
    assert.match(msg, /settings\.yaml/);
  });

  it("app.port has no default: the binary fixes it per email, so a missing one says how to find it", () => {
    const msg = problemsOf(() => fixtureSettings({ app: {} }));
    assert.match(msg, /app\.port \(or env BINGO_APP_PORT\) is missing: the port bingo listens on for your student_email/);
  });

  it("app.processes is 1 to 4, and their ports (app.port, app.port + 1, ...) must exist", () => {
    assert.equal(fixtureSettings({ app: { port: 8765, processes: 4 } }).app.processes, 4);
    assert.equal(fixtureSettings({}, { BINGO_APP_PROCESSES: "3" }).app.processes, 3);
    assert.match(problemsOf(() => fixtureSettings({ app: { port: 8765, processes: 5 } })), /app\.processes \(or env BINGO_APP_PROCESSES\) must be a whole number from 1 to 4, got 5/);
    assert.match(problemsOf(() => fixtureSettings({ app: { port: 8765, processes: 0 } })), /app\.processes .*from 1 to 4, got 0/);
    assert.match(problemsOf(() => fixtureSettings({ app: { port: 65535, processes: 2 } })), /app\.port 65535 with app\.processes 2 needs host ports up to 65536, past 65535/);
    assert.deepEqual(appPorts({ port: 8765, processes: 3 }), [8765, 8766, 8767]);
  });

  it("one frontend per zone: the zones are distinct, and public_cidr has room for each one's fixed address", () => {
    assert.deepEqual(fixtureSettings().frontendZones, ["ru-central1-a", "ru-central1-b"]);
    assert.deepEqual(fixtureSettings({ cloud: { folder_id: "b1gfixture0000000000", zone: "ru-central1-d" } }).frontendZones, ["ru-central1-d", "ru-central1-a"]);
    assert.match(problemsOf(() => fixtureSettings({ cloud: { folder_id: "b1gfixture0000000000", frontend_zones: ["ru-central1-a", "ru-central1-a"] } })), /cloud\.frontend_zones must be a list of distinct zones/);
    assert.match(
      problemsOf(() => fixtureSettings({ network: { public_cidr: "10.10.1.0/28", frontend_host: 10 } })),
      /network\.public_cidr 10\.10\.1\.0\/28 cut into 2 .* has no host 10 \(network\.frontend_host\) in each slice/,
    );
  });

  it("one DB VM per zone: db_zones are distinct and an odd number >= 3, and private_cidr has room for each one's fixed address", () => {
    assert.deepEqual(fixtureSettings().dbZones, ["ru-central1-a", "ru-central1-b", "ru-central1-d"]);
    assert.equal(fixtureSettings().network.dbHost, 10);
    assert.deepEqual(fixtureSettings({ cloud: { folder_id: "b1gfixture0000000000", zone: "ru-central1-b" } }).dbZones, ["ru-central1-b", "ru-central1-a", "ru-central1-d"]);
    const cloud = (dbZones: unknown) => ({ cloud: { folder_id: "b1gfixture0000000000", db_zones: dbZones } });
    assert.match(problemsOf(() => fixtureSettings(cloud(["ru-central1-a", "ru-central1-b", "ru-central1-b"]))), /cloud\.db_zones must be a list of distinct zones/);
    assert.match(problemsOf(() => fixtureSettings(cloud(["ru-central1-a", "ru-central1-c", "ru-central1-d"]))), /cloud\.db_zones must be a list of distinct zones \(use ru-central1-a, ru-central1-b or ru-central1-d\)/);
    assert.match(
      problemsOf(() => fixtureSettings(cloud(["ru-central1-a", "ru-central1-b"]))),
      /cloud\.db_zones lists 2 zone\(s\) \(ru-central1-a, ru-central1-b\): the database cluster needs an odd number of at least 3/,
    );
    assert.match(problemsOf(() => fixtureSettings(cloud(["ru-central1-a"]))), /cloud\.db_zones lists 1 zone\(s\)/);
    // Three private zones cut a /26 into four /28s: host 14 is the last a slice has.
    assert.equal(fixtureSettings({ network: { ssh_allowed_cidrs: ["198.51.100.7/32"], private_cidr: "10.10.2.0/26", db_host: 14 } }).network.dbHost, 14);
    assert.match(
      problemsOf(() => fixtureSettings({ network: { ssh_allowed_cidrs: ["198.51.100.7/32"], private_cidr: "10.10.2.0/26", db_host: 15 } })),
      /network\.private_cidr 10\.10\.2\.0\/26 cut into 3 \(one per private zone: cloud\.zone and cloud\.db_zones\) has no host 15 \(network\.db_host\) in each slice: use a larger private_cidr or a smaller db_host/,
    );
    assert.match(problemsOf(() => fixtureSettings({ network: { ssh_allowed_cidrs: ["198.51.100.7/32"], db_host: 2 } })), /network\.db_host must be a whole number from 3 to 250/);
  });

  it("malformed values are each reported, not only the first", () => {
    const msg = problemsOf(() =>
      fixtureSettings({ app: { port: "http", instances: 1 }, network: { public_cidr: "10.10.1.0" }, cloud: { folder_id: "Folder!" } }),
    );
    assert.match(msg, /app\.port .* must be a whole number from 1024 to 65535, got "http"/);
    assert.match(msg, /app\.instances must be a whole number from 2 to 10/);
    assert.match(msg, /network\.public_cidr must be an IPv4 CIDR/);
    assert.match(msg, /cloud\.folder_id .* is malformed/);
  });

  it("the environment overrides the file", () => {
    const s = fixtureSettings({}, { YC_ZONE: "ru-central1-b", BINGO_APP_PORT: "9000", BINGO_LOAD_BALANCER: "yes" });
    assert.equal(s.zone, "ru-central1-b");
    assert.equal(s.app.port, 9000);
    assert.equal(s.app.loadBalancer, true);
  });

  it("a settings file that is not YAML fails with the file's name", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bingo-settings-"));
    const file = path.join(dir, "settings.yaml");
    fs.writeFileSync(file, "cloud: [unclosed\n");
    const msg = problemsOf(() => loadSettings({ BINGO_SETTINGS: file }, ROOT));
    assert.match(msg, /is not valid YAML/);
    assert.ok(msg.includes(file));
  });

  it("the committed example is itself valid, so a clean clone can synthesize", () => {
    const s = loadSettings({ BINGO_SETTINGS: path.join(ROOT, "settings.example.yaml"), BINGO_DB_PASSWORD: "examplePassword12345" }, ROOT);
    assert.equal(s.zone, "ru-central1-a");
  });

  it("the cloud's default image is the release the local nodes run (scripts/lib/local-nodes.conf)", () => {
    const conf = fs.readFileSync(path.join(ROOT, "scripts", "lib", "local-nodes.conf"), "utf8");
    const suite = /^NODE_SUITE=["']?([a-z]+)["']?\s*$/m.exec(conf)?.[1];
    assert.ok(suite, "local-nodes.conf sets NODE_SUITE");
    assert.equal(fixtureSettings().imageFamily, DEFAULT_IMAGE_FAMILY);
    assert.equal(IMAGE_FAMILY_RELEASE[DEFAULT_IMAGE_FAMILY]?.codename, suite);
  });

  it("every known image family has the PostgreSQL role's OS variables", () => {
    for (const r of Object.values(IMAGE_FAMILY_RELEASE)) {
      const major = r.version.split(".")[0];
      assert.ok(fs.existsSync(path.join(ROOT, "ansible", "roles", "postgresql", "vars", `${r.distribution}-${major}.yml`)), `${r.distribution} ${major}`);
    }
  });

  it("a misplaced or unknown key is reported, with where it belongs", () => {
    const { cloud, ...rest } = structuredClone(FIXTURE);
    const msg = problemsOf(() =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require("../../settings") as typeof import("../../settings")).parseSettings({
        raw: { ...rest, cloud: { zone: cloud.zone }, folder_id: cloud.folder_id, app: { port: 8765, prot: 1 }, db_password: "x" },
        source: "test",
      }),
    );
    assert.match(msg, /cloud\.folder_id \(or env YC_FOLDER_ID\) is missing/);
    assert.match(msg, /folder_id is not a setting here: did you mean cloud\.folder_id/);
    assert.match(msg, /app\.prot is not a setting: remove it or fix its name/);
    assert.match(msg, /db_password is no setting any more: Lockbox generates the database password/);
  });

  it("what the cloud would refuse at apply time is refused now, with the documented limit", () => {
    const msg = problemsOf(() =>
      fixtureSettings({
        app: { port: 40000 },
        sizes: {
          app: { cores: 2, memory_gb: 16, core_fraction: 50 },
          frontend: { core_fraction: 5 },
          db: { cores: 6, memory_gb: 12, core_fraction: 50, disk_type: "network-ssd-nonreplicated", disk_gb: 100 },
        },
      }),
    );
    assert.match(msg, /app\.port 40000 cannot be health-checked: an instance group's HTTP health check takes ports 1 to 32767/);
    assert.match(msg, /sizes\.app\.memory_gb 16 is 8 GB per core; standard-v3 at 50% takes 0\.5 to 4 GB per core .*performance-levels/);
    assert.match(msg, /sizes\.frontend\.core_fraction 5 is not offered on standard-v3: use one of 20, 50, 100/);
    assert.match(msg, /sizes\.db\.cores 6 is not offered on standard-v3 at 50%: use one of 2, 4/);
    assert.match(msg, /sizes\.db\.disk_gb 100: a network-ssd-nonreplicated disk's size is a multiple of 93 GB/);
  });
});

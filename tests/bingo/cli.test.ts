// The stand-in's command line keeps the real binary's contract: the texts,
// root refusal, fixed config path and the panics the roles must recognise.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BINGO } from "./support/paths";
import { CONFIG_PATH, Installation, configYaml, install, prepareHost, runBingo } from "./support/standin";

const EMAIL = "uhnsa@yandex.ru";

describe("bingo command line", () => {
  let inst: Installation;

  before(() => {
    prepareHost();
    // Port 1 on loopback refuses: enough for the commands that need a database to fail fast.
    inst = install(EMAIL, 1);
  });
  after(() => inst.restore());

  test("is one executable file that runs alone, without node or node_modules", async () => {
    // Installed as the real one is: copied into a folder of its own, nothing beside it.
    const dir = mkdtempSync(join(tmpdir(), "bingo-alone-"));
    try {
      const copy = join(dir, "bingo");
      copyFileSync(BINGO, copy);
      chmodSync(dir, 0o755);
      chmodSync(copy, 0o755);
      assert.deepEqual(readdirSync(dir), ["bingo"]);
      const r = await runBingo(["version"], { PATH: "/nonexistent" }, false, 30_000, copy);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\d{8}T\d{4}\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("alone it prints Hello world", async () => {
    const r = await runBingo([]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Hello world\n");
  });

  test("refuses to run as root, whatever the subcommand", async () => {
    for (const args of [[], ["run_server"], ["prepare_db"], ["version"]]) {
      const r = await runBingo(args, undefined, true);
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /Didn't your mom teach you not to run anything incomprehensible from root\?/);
    }
  });

  test("version prints a build stamp", async () => {
    const r = await runBingo(["version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d{8}T\d{4}\n$/);
  });

  test("help lists every subcommand in cobra's layout", async () => {
    for (const args of [["help"], ["--help"], ["-h"]]) {
      const r = await runBingo(args);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage:\n {2}bingo \[flags\]\n {2}bingo \[command\]\n\nAvailable Commands:\n/);
      for (const cmd of ["completion", "help", "prepare_db", "print_current_config", "print_default_config", "run_server", "version"]) {
        assert.match(r.stdout, new RegExp(`^ {2}${cmd} +\\S`, "m"));
      }
    }
    const unknown = await runBingo(["frobnicate"]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, `Error: unknown command "frobnicate" for "bingo"\nRun 'bingo --help' for usage.\n`);
    const sub = await runBingo(["run_server", "--help"]);
    assert.equal(sub.stdout, "Starts the HTTP server\n\nUsage:\n  bingo run_server [flags]\n\nFlags:\n  -h, --help   help for run_server\n");
  });

  test("it has no flags but --help: a config flag is refused with the usage, as cobra does", async () => {
    const r = await runBingo(["run_server", "--config=/tmp/other.yaml"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: unknown flag: --config\nUsage:\n {2}bingo run_server \[flags\]\n/);
    const short = await runBingo(["-v"]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^Error: unknown shorthand flag: 'v' in -v\nUsage:\n {2}bingo \[flags\]\n/);
  });

  test("completion prints a script for each shell", async () => {
    const marks = { bash: "complete -F", zsh: "#compdef bingo", fish: "complete -c bingo", powershell: "Register-ArgumentCompleter" };
    for (const [shell, mark] of Object.entries(marks)) {
      const r = await runBingo(["completion", shell]);
      assert.equal(r.code, 0);
      assert.ok(r.stdout.includes(mark), `${shell} script`);
      assert.ok(r.stdout.includes("run_server"), `${shell} completes subcommands`);
    }
    const usage = await runBingo(["completion"]);
    assert.match(usage.stdout, /Usage:\n {2}bingo completion \[command\]/);
  });

  test("print_default_config prints the spec's defaults", async () => {
    const r = await runBingo(["print_default_config"]);
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "student_email: test@example.com\npostgres_cluster:\n  hosts:\n  - address: localhost\n    port: 5432\n" +
        "  user: postgres\n  password: postgres\n  db_name: postgres\n  ssl_mode: disable\n  use_closest_node: false\n",
    );
  });

  test("print_current_config reads /opt/bingo/config.yaml", async () => {
    const r = await runBingo(["print_current_config"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, configYaml(EMAIL, 1));
  });

  test("a missing config is the real panic", async () => {
    rmSync(CONFIG_PATH);
    for (const cmd of ["run_server", "prepare_db", "print_current_config"]) {
      const r = await runBingo([cmd]);
      assert.equal(r.code, 2, cmd);
      assert.match(r.stderr, /^panic: failed to read config data\n\ngoroutine 1 \[running\]:\n/);
    }
    inst.writeConfig(configYaml(EMAIL, 1));
  });

  test("a missing log folder is the real panic; the folder is never created", async () => {
    inst.removeLogDir();
    for (const cmd of ["run_server", "prepare_db"]) {
      const r = await runBingo([cmd]);
      assert.equal(r.code, 2, cmd);
      assert.match(r.stderr, /^panic: failed to build logger\n/);
    }
    assert.equal(existsSync(dirname(inst.logFile)), false);
    assert.match(inst.logFile, /\/opt\/bongo\/logs\/1fd892b4a8\/main\.log$/);
    inst.createLogDir();
  });

  test("an unreachable database is the real error, after trying every host", async () => {
    inst.writeConfig(
      configYaml(EMAIL, 1).replace("  - address: 127.0.0.1\n    port: 1\n", "  - address: 127.0.0.1\n    port: 1\n  - address: 127.0.0.3\n    port: 2\n"),
    );
    for (const cmd of ["run_server", "prepare_db"]) {
      const r = await runBingo([cmd]);
      assert.equal(r.code, 1, cmd);
      assert.equal(r.stderr, "Error: failed Init Core: failed NewDatabase: could not connect to any host from the list\n");
    }
    assert.ok(existsSync(inst.logFile), "the log file is opened before the database");
  });
});

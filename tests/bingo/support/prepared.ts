// The common start of the stand-in suites: a fresh cluster, the stand-in installed
// for one email, and its data loaded at a small scale.
import assert from "node:assert/strict";
import { TestCluster, startCluster } from "./postgres";
import { Installation, install, prepareHost, runBingo, standinEnv } from "./standin";

export interface Prepared {
  pg: TestCluster;
  inst: Installation;
  /** What prepare_db printed. */
  stdout: string;
}

export async function preparedInstallation(email: string, scale: string): Promise<Prepared> {
  prepareHost();
  const pg = startCluster(55432);
  const inst = install(email, pg.port);
  const prep = await runBingo(["prepare_db"], standinEnv({ BINGO_DATA_SCALE: scale }));
  assert.equal(prep.code, 0, prep.stderr);
  return { pg, inst, stdout: prep.stdout };
}

// What every kill -9 test sets up and tears down: a child `assetd serve` on this run's backend (its own data dir,
// and a fresh database and bucket when the run uses them), and afterwards an in-process verifier opened on the same
// stores. After the tests the child is killed, the verifier closed, and the database, bucket and data dir removed.
import fs from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import { backendEnv, dropDatabase } from '../../support/backends.js';
import { makeDataDir, startTestServer, TENANT_A, type TestServer } from '../../support/server.js';
import { ChildServer } from './child.js';
import { dropBucket } from './cleanup.js';

export interface Killable {
  readonly server: ChildServer;
  readonly dataDir: string;
  /** The ASSETD_* settings of this run's backend. */
  readonly backend: Record<string, string>;
  /** An in-process server on the child's stores (the child stopped), on `now`'s clock; closed after the tests. */
  verify(now: () => Date): Promise<TestServer>;
}

/** Registers the hooks of one describe block; `env` is added to the child's (its key is TENANT_A's). */
export function killableServer(env: Record<string, string> = {}): Killable {
  let server: ChildServer | undefined;
  let dataDir: string | undefined;
  let backend: Record<string, string> | undefined;
  let verifier: TestServer | undefined;
  beforeAll(async () => {
    dataDir = await makeDataDir();
    backend = await backendEnv();
    server = await ChildServer.create({
      ASSETD_DATA_DIR: dataDir,
      ASSETD_API_KEYS: `${TENANT_A.key}=${TENANT_A.tenant}`,
      ASSETD_LOG_LEVEL: 'error',
      // Each test runs the reaper pass it checks itself; a periodic one would only blur what the kills left.
      ASSETD_REAPER_INTERVAL_SECONDS: '86400',
      ...env,
      ...backend,
    });
  });
  afterAll(async () => {
    await server?.kill9();
    await verifier?.close();
    if (backend?.ASSETD_DATABASE_URL) await dropDatabase(backend.ASSETD_DATABASE_URL).catch(() => {});
    if (backend) await dropBucket(backend).catch(() => {});
    // Hundreds of MiB of uploads on local disk.
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });
  const set = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`killableServer: ${name} is set up in beforeAll`);
    return value;
  };
  return {
    get server() {
      return set(server, 'server');
    },
    get dataDir() {
      return set(dataDir, 'dataDir');
    },
    get backend() {
      return set(backend, 'backend');
    },
    async verify(now) {
      verifier = await startTestServer({ dataDir: set(dataDir, 'dataDir'), backend: set(backend, 'backend'), now });
      return verifier;
    },
  };
}

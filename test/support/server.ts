// Starts the real service (the same startServer() that `npm start` uses) on an ephemeral loopback port with its own
// temporary data directory, and gives tests a small HTTP client for it.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startServer, type RunningServer } from '../../src/cli/server.js';
import { backendEnv, dropDatabase, pendingWrites, storedKeys } from './backends.js';

export const TENANT_A = { key: 'test-key-tenant-a-0000000000', tenant: 'acme' };
export const TENANT_B = { key: 'test-key-tenant-b-0000000000', tenant: 'globex' };

export interface TestServer {
  readonly url: string;
  readonly dataDir: string;
  readonly server: RunningServer;
  /** The backend settings of this server (a fresh database and bucket in the pg configurations). */
  readonly backend: Record<string, string>;
  /** Keys of stored objects under a prefix ("assets/", "uploads/"), on whichever backend this run uses. */
  objects(prefix?: string): Promise<string[]>;
  /** Writes in flight or abandoned (temp files, unfinished multipart uploads). */
  pendingWrites(): Promise<number>;
  /** fetch() against the server with tenant A's key unless `key` says otherwise (null: no key). */
  api(pathname: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  restart(): Promise<TestServer>;
  close(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `assetd-test-${randomUUID().slice(0, 8)}-`));
}

export interface TestServerOptions {
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  /** The service's clock; tests move it forward instead of sleeping. */
  readonly now?: () => Date;
  /** Reuse these backends (a second replica on the same database and bucket) instead of fresh ones. */
  readonly backend?: Record<string, string>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const backend = options.backend ?? (await backendEnv());
  const config = loadConfig({
    ASSETD_HOST: '127.0.0.1',
    ASSETD_PORT: '0',
    ASSETD_DATA_DIR: dataDir,
    ASSETD_API_KEYS: `${TENANT_A.key}=${TENANT_A.tenant},${TENANT_B.key}=${TENANT_B.tenant}`,
    // Tests run the reaper themselves.
    ASSETD_REAPER_INTERVAL_SECONDS: '86400',
    ...backend,
    ...options.env,
  });
  // Tests run callback passes themselves (on their own clock); a job's finish still sends its callback at once.
  const server = await startServer(config, { logger: process.env.ASSETD_TEST_LOG ? { level: 'error' } : false, callbackPollMs: 3_600_000, ...(options.now ? { now: options.now } : {}) });
  const self: TestServer = {
    url: server.address,
    dataDir,
    server,
    backend,
    objects: (prefix = '') => storedKeys(dataDir, backend, prefix),
    pendingWrites: () => pendingWrites(dataDir, backend),
    api(pathname, init = {}) {
      const { key = TENANT_A.key, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null) headers.set('x-api-key', key);
      return fetch(`${server.address}${pathname}`, { ...rest, headers });
    },
    async restart() {
      await server.close();
      return startTestServer({ ...options, dataDir, backend });
    },
    async close() {
      await server.close();
      // Replicas sharing a database leave dropping it to the one that made it.
      if (!options.backend && backend.ASSETD_DATABASE_URL) await dropDatabase(backend.ASSETD_DATABASE_URL);
    },
  };
  return self;
}

/** Polls `check` until it returns true or the deadline passes (for effects that follow a disconnect). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A clock that tests move forward. */
export function testClock() {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
}

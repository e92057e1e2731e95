import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './open.js';
import { BACKSTOP_AUTOCHECKPOINT_PAGES } from './checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite store checkpoints its WAL in a worker thread', () => {
  it('leaves the main connection only the backstop, and the worker keeps the log short under a stream of writes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'assetd-checkpoint-'));
    dirs.push(dir);
    const file = path.join(dir, 'assetd.sqlite');
    const store = await openSqliteStore(file);
    try {
      // ~8 pages per transaction: 3,000 of them would pass the default autocheckpoint (1,000 pages) many times over.
      for (let i = 0; i < 3000; i++) {
        const now = new Date();
        await store.idempotencyKeys.claim({ tenant: 't', scope: 's', key: `k${i}`, claimId: `c${i}`, fingerprint: 'f', now, lockUntil: now, expiresAt: new Date(now.getTime() + 60_000) });
      }
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(store.checkpointer.runs()).toBeGreaterThan(0);
      // What the worker has not copied back yet is small: a checkpoint now finds (almost) nothing left to do.
      const probe = new Sqlite(file);
      const [state] = probe.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      probe.close();
      expect(state!.log - state!.checkpointed).toBeLessThan(200);
      expect(statSync(`${file}-wal`).size).toBeLessThan(BACKSTOP_AUTOCHECKPOINT_PAGES * 4096);
    } finally {
      await store.close();
    }
  });
});

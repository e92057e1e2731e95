import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './open.js';
import { reserveWalSpace, WAL_RESERVE_BYTES } from './wal-reserve.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const fileIn = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'assetd-wal-'));
  dirs.push(dir);
  return path.join(dir, 'assetd.sqlite');
};

describe('the WAL reserve', () => {
  it('gives an opened store a log of at least WAL_RESERVE_BYTES, which SQLite reads as it wrote it', async () => {
    const file = fileIn();
    const store = await openSqliteStore(file);
    expect(statSync(`${file}-wal`).size).toBeGreaterThanOrEqual(WAL_RESERVE_BYTES);
    const now = new Date();
    for (let i = 0; i < 50; i++) {
      await store.idempotencyKeys.claim({ tenant: 't', scope: 's', key: `k${i}`, claimId: `c${i}`, fingerprint: 'f', now, lockUntil: now, expiresAt: new Date(now.getTime() + 60_000) });
    }
    // Another connection, as a second process would open it while this one runs: it reads the frames, not the zeros.
    const other = new Sqlite(file);
    expect(other.prepare('select count(*) as n from idempotency_keys').get()).toEqual({ n: 50 });
    other.close();
    await store.close();
    const reopened = await openSqliteStore(file);
    const rows = await reopened.db.selectFrom('idempotency_keys').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirst();
    expect(Number(rows?.n)).toBe(50);
    await reopened.close();
  });

  it('never writes over a log that is already long enough', () => {
    const file = fileIn();
    const db = new Sqlite(file);
    db.pragma('journal_mode = WAL');
    db.exec('create table t (n integer)');
    const before = statSync(`${file}-wal`).size;
    reserveWalSpace(db, file, 1024);
    expect(statSync(`${file}-wal`).size).toBe(before);
    db.close();
  });
});

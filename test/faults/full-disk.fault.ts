// A full disk: a small tmpfs filled to the brim by uploads, as the volume of the bytes (objects/ and tmp/) and, on
// SQLite, as the whole data directory. Every refusal is 507 insufficient_storage in the envelope (never a 400 that
// blames the client, never a 500), /readyz says 503, nothing half-written stays (no temp file, no listed asset
// without its bytes), DELETE still works and frees room, and uploads work again without a restart.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { usesPostgres, usesS3 } from '../support/backends.js';
import { makeDataDir, startTestServer, TENANT_A, type TestServer } from '../support/server.js';
import { recordFigures, type Figures } from './support/figures.js';
import { isEnvelope, send, sendJson, uploadOne, type Outcome } from './support/http.js';
import { pngOf } from './support/random.js';

/** Room for ~20 uploads of 4 MiB, and more than the 64 MiB /readyz wants free, so the disk starts out ready. */
const DISK_MIB = 96;
const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const skipReason = usesS3
  ? 'the bytes go to S3: the local disk holds nothing an upload writes'
  : !isRoot
    ? 'mounting a tmpfs needs root'
    : null;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Disk {
  readonly t: TestServer;
  readonly mount: string;
}

/** A tmpfs of DISK_MIB under a fresh directory; unmounted and removed by the returned function. */
async function tmpfs(): Promise<{ mount: string; remove: () => Promise<void> }> {
  const mount = await makeDataDir();
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m`, 'tmpfs', mount]);
  return {
    mount,
    remove: async () => {
      execFileSync('umount', [mount]);
      await fs.rm(mount, { recursive: true, force: true });
    },
  };
}

describe.skipIf(skipReason !== null)(`a full disk${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('the disk that holds the bytes (objects/ and tmp/ on a full volume, the database elsewhere)', async (context) => {
    const { mount, remove } = await tmpfs();
    cleanups.push(remove);
    // The data directory stays on the ordinary disk; its objects/ and tmp/ are the volume's (one file system, so a
    // temp file still renames into place).
    const dataDir = await makeDataDir();
    cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
    for (const dir of ['objects', 'tmp']) {
      await fs.mkdir(path.join(mount, dir));
      await fs.symlink(path.join(mount, dir), path.join(dataDir, dir));
    }
    const t = await startTestServer({ dataDir });
    cleanups.push(() => t.close());
    recordFigures(context, await fillAndRecover({ t, mount }));
  });

  it.skipIf(usesPostgres)(
    `the whole data directory, SQLite database included${usesPostgres ? ' (skipped: the database is PostgreSQL)' : ''}`,
    async (context) => {
      const { mount, remove } = await tmpfs();
      cleanups.push(remove);
      const t = await startTestServer({ dataDir: mount });
      cleanups.push(() => t.close());
      recordFigures(context, await fillAndRecover({ t, mount }));
    },
  );
});

/**
 * Fills the disk with uploads to the brim, checks every refusal and what stays, deletes to make room, uploads
 * again, empties it. Returns the figures.
 */
async function fillAndRecover({ t, mount }: Disk): Promise<Figures> {
  const readyz = async () => (await fetch(`${t.url}/readyz`)).status;
  const freeMiB = async () => {
    const { bavail, bsize } = await fs.statfs(mount);
    return (bavail * bsize) / MIB;
  };
  const odd: string[] = [];
  let refused = 0;
  /** An answer is 200 or 507 insufficient_storage in the envelope; anything else is noted. */
  const judge = (what: string, answer: Outcome): boolean => {
    if (!answer.answered) {
      odd.push(`${what}: no answer (${answer.error.message})`);
      return false;
    }
    if (answer.status === 200) return true;
    if (answer.status === 507 && isEnvelope(answer.json) && answer.json.error.code === 'insufficient_storage') refused += 1;
    else odd.push(`${what}: ${answer.status} ${answer.body.toString('utf8').slice(0, 200)}`);
    return false;
  };
  const remove = async (id: string) => {
    const answer = await send(`${t.url}/v3/assets/${id}`, { method: 'DELETE', headers: { 'x-api-key': TENANT_A.key } });
    expect(answer.answered && answer.status).toBe(200);
    expect((await t.api(`/v3/assets/${id}`)).status).toBe(404);
  };

  expect(await readyz()).toBe(200);
  const stored = new Map<string, string>();
  // Fill it: 4 MiB files until one is refused, then smaller and smaller until even a 1 KiB file is.
  for (const size of [4 * MIB, MIB, 256 * 1024, 16 * 1024, 1024]) {
    for (let i = 0; i < 200; i++) {
      const bytes = pngOf(size);
      const answer = await uploadOne(t.url, TENANT_A.key, bytes);
      if (!judge(`upload of ${size} bytes`, answer) || !answer.answered) break;
      stored.set(answer.json.data.asset_id, sha256(bytes));
    }
  }
  const freeWhenFull = await freeMiB();
  const storedWhenFull = stored.size;

  // The other way in, on the full disk: a direct upload's PUT (its initiate too, when the database is full).
  const bytes = pngOf(MIB);
  const init = await sendJson(`${t.url}/v3/assets/direct-uploads`, TENANT_A.key, 'POST', {
    filename: 'full.png',
    content_type: 'image/png',
    size_bytes: bytes.length,
  });
  if (judge('initiate', init) && init.answered) {
    const put = await send(init.json.data.upload_url, { method: 'PUT', headers: init.json.data.upload_headers, body: bytes });
    expect(judge('PUT', put)).toBe(false);
    await remove(init.json.data.asset_id);
  }
  expect(odd).toEqual([]);
  expect(refused).toBeGreaterThanOrEqual(5);

  expect(await readyz()).toBe(503);
  expect(await t.pendingWrites()).toBe(0);
  await expectAllWhole(t, stored);

  // Deleting works on the full disk, and the room it frees takes the next upload at once.
  for (const id of [...stored.keys()].slice(0, 2)) {
    await remove(id);
    stored.delete(id);
  }
  const again = pngOf(2 * MIB);
  const next = await uploadOne(t.url, TENANT_A.key, again);
  expect(judge('upload after deletes', next)).toBe(true);
  if (next.answered) stored.set(next.json.data.asset_id, sha256(again));
  await expectAllWhole(t, stored);

  // Empty again: ready again, and nothing left behind.
  for (const id of stored.keys()) await remove(id);
  expect(await readyz()).toBe(200);
  expect(await t.pendingWrites()).toBe(0);
  expect(await t.objects()).toEqual([]);
  expect(odd).toEqual([]);
  return {
    disk: `${DISK_MIB} MiB tmpfs`,
    'uploads stored until full': storedWhenFull,
    '507s seen': refused,
    'free when full': `${freeWhenFull.toFixed(2)} MiB`,
    'other answers': odd.length,
  };
}

/** Every listed asset serves its bytes whole, and each stored upload is listed with the bytes that were sent. */
async function expectAllWhole(t: TestServer, stored: Map<string, string>): Promise<void> {
  const listed = ((await (await t.api('/v3/assets?limit=100')).json()) as { data: { asset_id: string; url: string; sha256: string }[] }).data;
  expect(listed.map((a) => a.asset_id).sort()).toEqual([...stored.keys()].sort());
  for (const asset of listed) {
    const res = await fetch(asset.url);
    expect(res.status).toBe(200);
    const digest = sha256(Buffer.from(await res.arrayBuffer()));
    expect(digest).toBe(asset.sha256);
    expect(digest).toBe(stored.get(asset.asset_id));
  }
}

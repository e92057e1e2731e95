// kill -9 of a real `assetd serve` during a multipart upload: while a part streams in (local disk, where the part
// goes through assetd) and while `complete` assembles the parts. After each restart nothing partial is visible (no
// part from the cut PUT, no object while the upload is pending), the client continues with what is missing, complete
// finishes within the finalizer's lease, and the reaper leaves no temp file and no part behind: for the completed
// upload, and for one abandoned past its time.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { usesS3 } from '../support/backends.js';
import * as media from '../support/media.js';
import { putBytes } from '../support/put.js';
import { eventually, TENANT_A, testClock } from '../support/server.js';
import { killableServer } from './support/killable.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const PARTS = usesS3 ? 4 : 12;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('kill -9 during a multipart upload', () => {
  const killable = killableServer({ ASSETD_SIGNING_SECRET: 'multipart-crash-signing-secret-00000000' });

  const api = async (method: string, pathname: string, body?: unknown) => {
    const res = await fetch(`${killable.server.url}${pathname}`, {
      method,
      headers: { 'x-api-key': TENANT_A.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Json };
  };

  async function initiate(bytes: Buffer) {
    const init = await api('POST', '/v3/assets/multipart-uploads', { filename: 'crash.mp4', content_type: 'video/mp4', size_bytes: bytes.length, part_size_bytes: PART });
    expect(init.status).toBe(200);
    return init.json.data;
  }
  const slice = (bytes: Buffer, n: number) => bytes.subarray((n - 1) * PART, Math.min(n * PART, bytes.length));
  const tempFiles = async (dir: string) => (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('tmp-') || n.endsWith('.part'));

  it('shows nothing partial after kills mid-part and mid-complete, and completes after the restart', async () => {
    const { server, dataDir } = killable;
    await server.start();
    const head = media.mp4();
    const bytes = Buffer.concat([head, ...Array.from({ length: PARTS }, (_, i) => Buffer.alloc(i === 0 ? PART - head.length : PART, i + 1)), Buffer.alloc(999, 7)]);
    const init = await initiate(bytes);
    const id = init.asset_id as string;

    if (!usesS3) {
      // Half a part, then the kill: the part streams through assetd on local disk.
      const body = new Readable({ read() {} });
      const cut = putBytes(init.parts[0].upload_url, init.parts[0].upload_headers, body, PART).catch(() => null);
      body.push(slice(bytes, 1).subarray(0, 2 * MiB));
      const uploadDirs = path.join(dataDir, 'multipart');
      await eventually(async () => {
        for (const upload of await fs.readdir(uploadDirs)) if ((await tempFiles(path.join(uploadDirs, upload))).length > 0) return true;
        return false;
      });
      await server.kill9();
      body.destroy();
      await cut;
      await server.start();
      expect((await api('GET', `/v3/assets/multipart-uploads/${id}`)).json.data.parts_received).toEqual([]);
    }

    // Every part, from fresh URLs; then a complete cut by a kill while it assembles.
    const fresh = (await api('GET', `/v3/assets/multipart-uploads/${id}`)).json.data;
    expect(fresh.parts).toHaveLength(PARTS + 1);
    for (const part of fresh.parts) expect((await putBytes(part.upload_url, part.upload_headers, slice(bytes, part.part_number))).status).toBe(200);
    const completing = fetch(`${server.url}/v3/assets/${id}/complete`, { method: 'POST', headers: { 'x-api-key': TENANT_A.key } }).catch(() => null);
    if (usesS3) await new Promise((resolve) => setTimeout(resolve, 20));
    else await eventually(async () => (await tempFiles(path.join(dataDir, 'tmp'))).length > 0, 10_000).catch(() => {});
    await server.kill9();
    await completing;
    await server.start();

    const record = (await api('GET', `/v3/assets/${id}`)).json.data;
    if (record.status === 'pending_upload') expect(record.url).toBeNull();
    // The client tries complete again: within the lease (10 s) of the killed finalizer, it finishes.
    const started = Date.now();
    let done = await api('POST', `/v3/assets/${id}/complete`);
    while (done.status === 409 && Date.now() - started < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      done = await api('POST', `/v3/assets/${id}/complete`);
    }
    expect(done.status).toBe(200);
    expect((await api('GET', `/v3/assets/${id}`)).json.data.sha256).toBe(sha256(bytes));
    const served = Buffer.from(await (await fetch(done.json.data.url.replace(/^http:\/\/[^/]+/, server.url))).arrayBuffer());
    expect(sha256(served)).toBe(sha256(bytes));

    // One more, abandoned after a part: a kill, and its time runs out.
    const abandoned = await initiate(bytes.subarray(0, 2 * PART));
    expect((await putBytes(abandoned.parts[0].upload_url, abandoned.parts[0].upload_headers, slice(bytes, 1))).status).toBe(200);
    await server.kill9();

    const clock = testClock();
    const t = await killable.verify(clock.now);
    // The reaper's abandoned-write step with no idle time: temp files of the killed process go, the pending upload
    // (a record still owns it) stays.
    // The pass the verifier ran as it started (on its clock, before it moves) is over first.
    await t.server.reaper.runOnce();
    await t.server.storage.removeAbandonedWrites(0, { spare: (keys) => t.server.metadata.assets.storageKeysInUse(keys) });
    expect(await t.pendingWrites()).toBe(1);
    expect((await (await t.api(`/v3/assets/multipart-uploads/${abandoned.asset_id}`)).json() as Json).data.parts_received).toHaveLength(1);
    clock.advance(25 * 3600 * 1000);
    const report = await t.server.reaper.runOnce();
    expect(report.expiredUploads).toBe(1);
    expect(await t.pendingWrites()).toBe(0);
    expect((await t.objects('assets/')).length).toBe(1);
  });
});

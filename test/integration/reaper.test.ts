// The reaper's sweep for stored objects no record points to: what a crash between a delete's two steps (the row,
// then the bytes) or between an upload's two steps (the bytes, then the row) leaves. Only objects older than the
// safe age go; anything a record holds stays.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usesS3 } from '../support/backends.js';
import * as media from '../support/media.js';
import { startTestServer, testClock, type TestServer } from '../support/server.js';

const clock = testClock();
let t: TestServer;
beforeAll(async () => {
  // Upload URLs outlive the hour the test moves forward, so the pending upload is not expired meanwhile.
  t = await startTestServer({ now: clock.now, env: { ASSETD_UPLOAD_URL_TTL_SECONDS: '7200' } });
});
afterAll(async () => {
  await t.close();
});

const HOUR_MS = 60 * 60 * 1000;

async function orphan(key: string): Promise<void> {
  await t.server.storage.write({ key, body: Readable.from([Buffer.from('left behind')]), contentType: 'application/octet-stream' });
}

describe('the reaper and orphaned objects', () => {
  it('removes objects no record points to once they are an hour old, and keeps every object a record holds', async () => {
    const form = new FormData();
    form.append('file', new Blob([media.png()]), 'kept.png');
    const uploaded = (await (await t.api('/v3/assets', { method: 'POST', body: form })).json()) as { data: { asset_id: string; url: string } };
    const pending = (await (
      await t.api('/v3/assets/direct-uploads', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'p.png', content_type: 'image/png', size_bytes: 10 }),
      })
    ).json()) as { data: { asset_id: string; upload_url: string; upload_headers: Record<string, string> } };
    // Its staged bytes, as a PUT would leave them: a record holds them.
    await orphan(`uploads/${pending.data.asset_id}`);
    // A PUT through assetd's endpoint (local disk) stages its bytes under a key of its own and records it as the
    // receipt: kept. One killed before recording its receipt leaves a key its asset does not name: an orphan, though
    // the asset lives. (On S3 the PUT goes to the bucket's staging key, the line above.)
    let receiptKey: string | null = null;
    if (!usesS3) {
      const put = await fetch(pending.data.upload_url, { method: 'PUT', headers: pending.data.upload_headers, body: Buffer.alloc(10, 1) });
      expect(put.status).toBe(200);
      receiptKey = (await t.server.metadata.assets.findAssetById(pending.data.asset_id))!.receipt!.key;
    }
    const killedPut = `uploads/${pending.data.asset_id}.killed-put`;
    await orphan(killedPut);

    const id = `asset_${randomBytes(16).toString('hex')}`;
    const lost = [`assets/${id.slice(6, 8)}/${id}`, `uploads/${id}`, killedPut];
    for (const key of lost) await orphan(key);

    // Young orphans might be an upload about to be committed: kept.
    expect((await t.server.reaper.runOnce()).orphanedObjects).toBe(0);
    for (const key of lost) expect(await t.server.storage.stat(key)).not.toBeNull();

    clock.advance(HOUR_MS + 60_000);
    const report = await t.server.reaper.runOnce();
    expect(report.orphanedObjects).toBe(3);
    for (const key of lost) expect(await t.server.storage.stat(key)).toBeNull();
    expect(await t.server.storage.stat(`uploads/${pending.data.asset_id}`)).not.toBeNull();
    if (receiptKey) expect(await t.server.storage.stat(receiptKey)).not.toBeNull();
    expect((await fetch(uploaded.data.url)).status).toBe(200);
  });
});

// The client's resumable multipart upload against the real server, on whichever backend this run uses: parts in
// parallel with a SHA-256 each, an upload cut short and resumed sending only what the server lacks (in this process,
// and with `assetd upload` killed with SIGKILL half-way), and the whole file's SHA-256 checked at the end.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssetdClient, type PartEvent } from '../../src/client/index.js';
import { spawnAssetd } from '../support/cli.js';
import * as media from '../support/media.js';
import { eventually, makeDataDir, startTestServer, TENANT_A, type TestServer } from '../support/server.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MiB = 1024 * 1024;
const PART = 5 * MiB;
let t: TestServer;
let dir: string;
let client: AssetdClient;
beforeAll(async () => {
  t = await startTestServer();
  dir = await makeDataDir();
  client = new AssetdClient({ baseUrl: t.url, apiKey: TENANT_A.key, retryForMs: 0 });
});
afterAll(async () => {
  await t.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** An MP4 of `parts` parts of 5 MiB and a short last one, each part's bytes different. */
async function bigFile(name: string, parts: number): Promise<{ file: string; sha256: string; size: number }> {
  const head = media.mp4();
  const chunks = [head, ...Array.from({ length: parts }, (_, i) => Buffer.alloc(i === 0 ? PART - head.length : PART, i + 1)), Buffer.alloc(4321, 0xee)];
  const bytes = Buffer.concat(chunks);
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return { file, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

async function storedSha(assetId: string): Promise<string> {
  const asset = ((await (await t.api(`/v3/assets/${assetId}`)).json()) as Json).data;
  expect(asset.status).toBe('completed');
  return asset.sha256 as string;
}

describe('client multipart upload', { timeout: 120_000 }, () => {
  it('sends a large file in parallel parts and completes it with the whole file’s SHA-256', async () => {
    const { file, sha256, size } = await bigFile('parallel.mp4', 5);
    const events: PartEvent[] = [];
    let lastBytes = 0;
    const asset = await client.upload(file, {
      multipartAbove: PART,
      partSizeBytes: PART,
      onPart: (event) => events.push(event),
      onProgress: ({ bytes }) => (lastBytes = bytes),
    });
    expect(asset).toMatchObject({ flow: 'multipart', size_bytes: size, mime_type: 'video/mp4' });
    expect(events.filter((e) => e.action === 'sent').map((e) => e.partNumber).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lastBytes).toBe(size);
    expect(await storedSha(asset.asset_id)).toBe(sha256);
    // The state file is gone once the upload is complete.
    await expect(fs.stat(`${file}.assetd-upload.json`)).rejects.toThrow();
    await client.delete(asset.asset_id);
  });

  it('resumes an interrupted upload with only the missing parts', async () => {
    const { file, sha256 } = await bigFile('interrupted.mp4', 7);
    const statePath = path.join(dir, 'interrupted.state.json');
    const first: number[] = [];
    // Cut short after three parts: the senders stop taking new ones.
    await expect(
      client.upload(file, {
        multipartAbove: PART,
        partSizeBytes: PART,
        parallelParts: 2,
        statePath,
        onPart: ({ partNumber }) => {
          first.push(partNumber);
          if (first.length === 3) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const state = JSON.parse(await fs.readFile(statePath, 'utf8')) as Json;
    const held = ((await (await t.api(`/v3/assets/multipart-uploads/${state.asset_id}`)).json()) as Json).data;
    const receivedBefore: number[] = held.parts_received.map((p: Json) => p.part_number);
    expect(receivedBefore.length).toBeGreaterThanOrEqual(3);
    expect(receivedBefore.length).toBeLessThan(8);

    const second: PartEvent[] = [];
    const asset = await client.upload(file, { resume: true, statePath, onPart: (event) => second.push(event) });
    const sent = second.filter((e) => e.action === 'sent').map((e) => e.partNumber).sort((a, b) => a - b);
    const skipped = second.filter((e) => e.action === 'received').map((e) => e.partNumber).sort((a, b) => a - b);
    expect(skipped).toEqual(receivedBefore);
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8].filter((n) => !receivedBefore.includes(n)));
    expect(asset.asset_id).toBe(state.asset_id);
    expect(await storedSha(asset.asset_id)).toBe(sha256);
    await client.delete(asset.asset_id);
  });

  it('continues after `assetd upload` is killed with SIGKILL half-way, sending only the missing parts', async () => {
    const { file, sha256 } = await bigFile('killed.mp4', 15);
    const env = { ASSETD_CLIENT_URL: t.url, ASSETD_CLIENT_API_KEY: TENANT_A.key };
    const statePath = `${file}.assetd-upload.json`;
    const flags = ['--multipart-above', String(PART), '--part-size', String(PART), '--parallel', '1'];
    const killed = spawnAssetd(['upload', file, ...flags], env);
    let assetId = '';
    await eventually(async () => {
      const text = await fs.readFile(statePath, 'utf8').catch(() => '');
      if (!text) return false;
      assetId = (JSON.parse(text) as { asset_id: string }).asset_id;
      const held = ((await (await t.api(`/v3/assets/multipart-uploads/${assetId}`)).json()) as Json).data;
      return held.parts_received.length >= 2;
    }, 60_000);
    killed.child.kill('SIGKILL');
    await once(killed.child, 'close');
    const held = ((await (await t.api(`/v3/assets/multipart-uploads/${assetId}`)).json()) as Json).data;
    expect(held.status).toBe('pending_upload');
    const before = held.parts_received.length as number;
    // Half-way: some parts arrived, some did not.
    expect(before).toBeLessThan(held.part_count);

    const resumed = spawnAssetd(['upload', '--resume', file, '--json'], env);
    const [code] = await once(resumed.child, 'close');
    const { stdout, stderr } = resumed.output();
    expect(code, stderr).toBe(0);
    // A part whose bytes were all sent before the kill may still land after it: the server's list at resume time
    // is what counts: the resumed run sends exactly the parts the server lacks, never one it holds.
    const [, already, now] = /resumed: (\d+) parts were already received, (\d+) sent now/.exec(stderr) ?? [];
    expect(Number(already)).toBeGreaterThanOrEqual(before);
    expect(Number(already) + Number(now)).toBe(held.part_count);
    const line = JSON.parse(stdout.trim()) as Json;
    expect(line).toMatchObject({ asset_id: assetId, flow: 'multipart' });
    expect(await storedSha(assetId)).toBe(sha256);
    expect(await t.pendingWrites()).toBe(0);
    await client.delete(assetId);
  });

  it('says how to continue an upload that failed, and refuses --resume without a state', async () => {
    const { file } = await bigFile('nostate.mp4', 1);
    const run = spawnAssetd(['upload', '--resume', file], { ASSETD_CLIENT_URL: t.url, ASSETD_CLIENT_API_KEY: TENANT_A.key });
    const [code] = await once(run.child, 'close');
    expect(code).toBe(1);
    expect(run.output().stderr).toContain('There is no upload to resume');
  });
});

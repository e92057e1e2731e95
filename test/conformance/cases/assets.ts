// The 11 asset operations, each called as the platform documents it, with the optional fields a real client sends.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import * as media from '../../support/media.js';
import { eventually, TENANT_A, TENANT_B } from '../../support/server.js';
import type { ConformanceCase, ConformanceContext } from '../context.js';

const sha256 = (bytes: Buffer, encoding: 'hex' | 'base64' = 'hex') => createHash('sha256').update(bytes).digest(encoding);

function form(bytes: Buffer, filename: string, type = 'application/octet-stream'): FormData {
  const body = new FormData();
  body.append('file', new Blob([bytes], { type }), filename);
  return body;
}

async function uploaded(ctx: ConformanceContext, bytes: Buffer, filename: string): Promise<string> {
  const res = await ctx.call('POST /v3/assets', { form: form(bytes, filename) });
  expect(res.status).toBe(200);
  return res.body.data.asset_id as string;
}

/** The platform CLI's PUT: its own content-type first, upload_headers spread over it, sent with fetch. */
async function cliPut(url: string, headers: Record<string, string>, type: string, bytes: Buffer): Promise<number> {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': type, ...headers }, body: bytes });
  await res.arrayBuffer();
  return res.status;
}

async function directUpload(ctx: ConformanceContext, bytes: Buffer, filename: string, type: string) {
  const init = await ctx.call('POST /v3/assets/direct-uploads', {
    json: { filename, content_type: type, size_bytes: bytes.length, checksum_sha256: sha256(bytes, 'base64') },
  });
  expect(init.status).toBe(200);
  const data = init.body.data as { asset_id: string; upload_url: string; upload_headers: Record<string, string> };
  expect(await cliPut(data.upload_url, data.upload_headers, type, bytes)).toBe(200);
  return data;
}

export const assetCases: readonly ConformanceCase[] = [
  {
    operation: 'POST /v3/assets',
    name: 'uploads a PNG and an SRT by multipart',
    async run(ctx) {
      const png = await ctx.call('POST /v3/assets', { form: form(media.png(), 'logo.png', 'image/png') });
      expect(png.status).toBe(200);
      expect(png.body.data.mime_type).toBe('image/png');
      const srt = await ctx.call('POST /v3/assets', { form: form(media.srt(), 'talk.srt', 'text/plain') });
      expect(srt.status).toBe(200);
      expect(srt.body.data.mime_type).toBe('application/x-subrip');
    },
  },
  {
    operation: 'GET /v3/assets/{asset_id}',
    name: "has the platform's fields (id, name, type, owner, space_id, uploaded_at) beside ours",
    async run(ctx) {
      const id = await uploaded(ctx, media.png({ width: 3, height: 2 }), 'wide.png');
      const res = await ctx.call('GET /v3/assets/{asset_id}', { params: { asset_id: id } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id, asset_id: id, name: 'wide.png', type: 'image', owner: TENANT_A.tenant, width: 3, height: 2 });
      expect(Number.isInteger(res.body.data.uploaded_at)).toBe(true);
    },
  },
  {
    operation: 'GET /v3/assets',
    name: 'lists by username with limit and token, newest first',
    async run(ctx) {
      const ids = [await uploaded(ctx, media.png(), 'a.png'), await uploaded(ctx, media.jpeg(), 'b.jpg')];
      const first = await ctx.call('GET /v3/assets', { query: { username: TENANT_A.tenant, limit: 1 } });
      expect(first.status).toBe(200);
      expect(first.body.data.map((a: { id: string }) => a.id)).toEqual([ids[1]]);
      expect(first.body.has_more).toBe(true);
      const second = await ctx.call('GET /v3/assets', { query: { username: TENANT_A.tenant, limit: 1, token: first.body.next_token } });
      expect(second.body.data.map((a: { id: string }) => a.id)).toEqual([ids[0]]);
      const other = await ctx.call('GET /v3/assets', { query: { username: TENANT_B.tenant } });
      expect(other.body.data).toEqual([]);
    },
  },
  {
    operation: 'DELETE /v3/assets/{asset_id}',
    name: 'deletes and answers {id}',
    async run(ctx) {
      const id = await uploaded(ctx, media.png(), 'gone.png');
      const res = await ctx.call('DELETE /v3/assets/{asset_id}', { params: { asset_id: id } });
      expect(res.status).toBe(200);
      expect(res.body.data.id).toBe(id);
    },
  },
  {
    operation: 'POST /v3/assets/direct-uploads',
    name: 'takes a null checksum; upload_headers are lowercase, so the CLI sends one content-type',
    async run(ctx) {
      const bytes = media.padTo(media.png(), 5000);
      const init = await ctx.call('POST /v3/assets/direct-uploads', {
        json: { filename: 'bundle.png', content_type: 'image/png', size_bytes: bytes.length, checksum_sha256: null },
      });
      expect(init.status).toBe(200);
      const headers = init.body.data.upload_headers as Record<string, string>;
      for (const name of Object.keys(headers)) expect(name).toBe(name.toLowerCase());
      expect(await cliPut(init.body.data.upload_url, headers, 'image/png', bytes)).toBe(200);
    },
  },
  {
    operation: 'POST /v3/assets/{asset_id}/complete',
    name: 'completes a direct upload whose checksum was given in base64',
    async run(ctx) {
      const bytes = media.padTo(media.jpeg(), 6000);
      const { asset_id } = await directUpload(ctx, bytes, 'photo.jpg', 'image/jpeg');
      const res = await ctx.call('POST /v3/assets/{asset_id}/complete', { params: { asset_id }, json: { checksum_sha256: null } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ asset_id, status: 'completed', size_bytes: bytes.length });
    },
  },
  {
    operation: 'POST /v3/assets/direct-uploads/batches',
    name: 'takes title and callback_url',
    async run(ctx) {
      const bytes = media.png();
      const res = await ctx.call('POST /v3/assets/direct-uploads/batches', {
        json: {
          title: 'launch',
          callback_url: `${ctx.originUrl}/batch-hook`,
          files: [{ filename: 'x.png', content_type: 'image/png', size_bytes: bytes.length, checksum_sha256: null }],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body.data.items).toHaveLength(1);
    },
  },
  {
    operation: 'POST /v3/assets/complete/batches',
    name: 'answers 202 and completes every item in the background, a bad one failing alone',
    async run(ctx) {
      const good = media.png();
      const bad = media.jpeg();
      const created = await ctx.call('POST /v3/assets/direct-uploads/batches', {
        json: {
          files: [
            { filename: 'good.png', content_type: 'image/png', size_bytes: good.length },
            { filename: 'bad.png', content_type: 'image/png', size_bytes: bad.length },
          ],
        },
      });
      const [first, second] = created.body.data.items as Array<{ upload_url: string; upload_headers: Record<string, string> }>;
      expect(await cliPut(first!.upload_url, first!.upload_headers, 'image/png', good)).toBe(200);
      expect(await cliPut(second!.upload_url, second!.upload_headers, 'image/png', bad)).toBe(200);
      const batchId = created.body.data.batch_id as string;
      const res = await ctx.call('POST /v3/assets/complete/batches', { json: { batch_id: batchId } });
      expect(res.status).toBe(202);
      expect(res.body.data.batch_id).toBe(batchId);
      await eventually(async () => {
        const batch = await ctx.call('GET /v3/assets/batches/{batch_id}', { params: { batch_id: batchId } });
        return batch.body.data.status !== 'processing';
      });
      const batch = await ctx.call('GET /v3/assets/batches/{batch_id}', { params: { batch_id: batchId } });
      expect(batch.body.data.counts_by_status).toMatchObject({ completed: 1, failed: 1 });
      expect(batch.body.data.items.map((i: { status: string }) => i.status)).toEqual(['completed', 'failed']);
    },
  },
  {
    operation: 'GET /v3/assets/batches/{batch_id}',
    name: 'pages its items with limit and token',
    async run(ctx) {
      const bytes = media.png();
      const file = { filename: 'p.png', content_type: 'image/png', size_bytes: bytes.length };
      const created = await ctx.call('POST /v3/assets/direct-uploads/batches', { json: { title: 'three', files: [file, file, file] } });
      const batchId = created.body.data.batch_id as string;
      const page = await ctx.call('GET /v3/assets/batches/{batch_id}', { params: { batch_id: batchId }, query: { limit: 2 } });
      expect(page.status).toBe(200);
      expect(page.body.data).toMatchObject({ batch_id: batchId, title: 'three', total_items: 3, status: 'processing', has_more: true });
      expect(page.body.data.items.map((i: { item_index: number }) => i.item_index)).toEqual([0, 1]);
      const rest = await ctx.call('GET /v3/assets/batches/{batch_id}', {
        params: { batch_id: batchId },
        query: { limit: 2, token: page.body.data.next_token },
      });
      expect(rest.body.data.items.map((i: { item_index: number }) => i.item_index)).toEqual([2]);
      expect(rest.body.data.has_more).toBe(false);
    },
  },
  {
    operation: 'GET /v3/assets/statuses',
    name: 'answers by asset_ids and by batch_ids in the platform words',
    async run(ctx) {
      const id = await uploaded(ctx, media.png(), 's.png');
      const bytes = media.png();
      const created = await ctx.call('POST /v3/assets/direct-uploads/batches', {
        json: { files: [{ filename: 'q.png', content_type: 'image/png', size_bytes: bytes.length }] },
      });
      const batchId = created.body.data.batch_id as string;
      const res = await ctx.call('GET /v3/assets/statuses', { query: { asset_ids: `${id},asset_missing`, batch_ids: batchId } });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        expect.objectContaining({ video_id: id, status: 'completed' }),
        expect.objectContaining({ video_id: 'asset_missing', status: 'not_found' }),
        expect.objectContaining({ batch_id: batchId, item_index: 0, status: 'queued' }),
      ]);
    },
  },
  {
    operation: 'GET /v3/assets/search',
    name: "finds the caller's own images by name; the public scope is empty",
    async run(ctx) {
      const id = await uploaded(ctx, media.png({ width: 40, height: 20 }), 'sunset-beach.png');
      await uploaded(ctx, media.wav(), 'sunset-song.wav');
      const res = await ctx.call('GET /v3/assets/search', { query: { query: 'sunset', type: 'image', scope: 'personal', limit: 10 } });
      expect(res.status).toBe(200);
      expect(res.body.data.map((a: { id: string }) => a.id)).toEqual([id]);
      expect(res.body.data[0]).toMatchObject({ width: 40, height: 20, orientation: 'landscape' });
      const publicScope = await ctx.call('GET /v3/assets/search', { query: { query: 'sunset', type: 'image', scope: 'public' } });
      expect(publicScope.body.data).toEqual([]);
    },
  },
];

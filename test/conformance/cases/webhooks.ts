// The 7 webhook operations, each called as the platform documents it (events from its enum, entity_id, limit and
// token), every 2xx answer validated against its published response schema by the context.
import { expect } from 'vitest';
import { TENANT_B } from '../../support/server.js';
import type { ConformanceCase, ConformanceContext } from '../context.js';

async function endpoint(ctx: ConformanceContext, path: string, events: string[] | null = ['video_agent.success', 'video_agent.fail']) {
  const res = await ctx.call('POST /v3/webhooks/endpoints', { json: { url: `${ctx.originUrl}${path}`, events, entity_id: null } });
  expect(res.status).toBe(200);
  return res.body.data as { endpoint_id: string; secret: string };
}

export const webhookCases: readonly ConformanceCase[] = [
  {
    operation: 'POST /v3/webhooks/endpoints',
    name: 'takes url, events from the enum and entity_id; answers the whsec_ secret once',
    async run(ctx) {
      const res = await ctx.call('POST /v3/webhooks/endpoints', {
        json: { url: `${ctx.originUrl}/wh-create`, events: ['video_translate.success', 'batch.finished'], entity_id: 'vtr_0123' },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'enabled', events: ['video_translate.success', 'batch.finished'], url: `${ctx.originUrl}/wh-create` });
      expect(res.body.data.secret).toMatch(/^whsec_/);
      const bare = await ctx.call('POST /v3/webhooks/endpoints', { json: { url: `${ctx.originUrl}/wh-bare` } });
      expect(bare.status).toBe(200);
      expect(bare.body.data.events).toBeNull();
    },
  },
  {
    operation: 'GET /v3/webhooks/endpoints',
    name: 'pages with limit and token; secrets are not shown again',
    async run(ctx) {
      await endpoint(ctx, '/wh-list-1');
      await endpoint(ctx, '/wh-list-2');
      const first = await ctx.call('GET /v3/webhooks/endpoints', { query: { limit: 1 } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ has_more: true, data: [{ secret: null }] });
      const second = await ctx.call('GET /v3/webhooks/endpoints', { query: { limit: 1, token: first.body.next_token } });
      expect(second.status).toBe(200);
      expect(second.body.data[0].endpoint_id).not.toBe(first.body.data[0].endpoint_id);
    },
  },
  {
    operation: 'PATCH /v3/webhooks/endpoints/{endpoint_id}',
    name: 'replaces url and events whole',
    async run(ctx) {
      const { endpoint_id } = await endpoint(ctx, '/wh-patch');
      const res = await ctx.call('PATCH /v3/webhooks/endpoints/{endpoint_id}', {
        params: { endpoint_id },
        json: { url: `${ctx.originUrl}/wh-patched`, events: ['photo_avatar_generation.success'] },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ endpoint_id, url: `${ctx.originUrl}/wh-patched`, events: ['photo_avatar_generation.success'] });
      const other = await ctx.call('PATCH /v3/webhooks/endpoints/{endpoint_id}', { params: { endpoint_id }, json: { events: null, url: null }, key: TENANT_B.key });
      expect(other.status).toBe(404);
    },
  },
  {
    operation: 'DELETE /v3/webhooks/endpoints/{endpoint_id}',
    name: 'deletes; a second delete is 404',
    async run(ctx) {
      const { endpoint_id } = await endpoint(ctx, '/wh-delete');
      expect((await ctx.call('DELETE /v3/webhooks/endpoints/{endpoint_id}', { params: { endpoint_id } })).status).toBe(200);
      const again = await ctx.call('DELETE /v3/webhooks/endpoints/{endpoint_id}', { params: { endpoint_id } });
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('not_found');
    },
  },
  {
    operation: 'POST /v3/webhooks/endpoints/{endpoint_id}/rotate-secret',
    name: 'answers a new secret',
    async run(ctx) {
      const { endpoint_id, secret } = await endpoint(ctx, '/wh-rotate');
      const res = await ctx.call('POST /v3/webhooks/endpoints/{endpoint_id}/rotate-secret', { params: { endpoint_id } });
      expect(res.status).toBe(200);
      expect(res.body.data.endpoint_id).toBe(endpoint_id);
      expect(res.body.data.secret).toMatch(/^whsec_/);
      expect(res.body.data.secret).not.toBe(secret);
    },
  },
  {
    operation: 'GET /v3/webhooks/event-types',
    name: 'lists every type with a description',
    async run(ctx) {
      const res = await ctx.call('GET /v3/webhooks/event-types');
      expect(res.status).toBe(200);
      expect(res.body.data.map((t: { event_type: string }) => t.event_type)).toEqual(expect.arrayContaining(['video_agent.success', 'batch.finished']));
    },
  },
  {
    operation: 'GET /v3/webhooks/events',
    name: 'filters by event_type and entity_id, with limit and token',
    async run(ctx) {
      const all = await ctx.call('GET /v3/webhooks/events', { query: { limit: 2 } });
      expect(all.status).toBe(200);
      const filtered = await ctx.call('GET /v3/webhooks/events', { query: { event_type: 'video_agent.success', entity_id: 'session_none', limit: 10 } });
      expect(filtered.status).toBe(200);
      expect(filtered.body.data).toEqual([]);
      if (all.body.next_token) {
        const next = await ctx.call('GET /v3/webhooks/events', { query: { limit: 2, token: all.body.next_token } });
        expect(next.status).toBe(200);
      }
    },
  },
];

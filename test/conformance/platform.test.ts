// Drop-in compatibility, checked: every platform operation assetd routes is called as the platform documents it
// and its answer validated against the published response schema (test/conformance/platform-v3.json). The suite
// also fails when assetd routes an operation of the six families that no case covers, or one the platform does
// not have and that is not listed as an assetd extension below, so nothing new can drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrigin, type Origin } from '../support/origin.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { assetCases } from './cases/assets.js';
import { jobCases } from './cases/jobs.js';
import { webhookCases } from './cases/webhooks.js';
import { ConformanceContext, type ConformanceCase } from './context.js';
import { keyOf, shapeOf, SPEC } from './spec.js';

const FAMILIES = ['/v3/assets', '/v3/video-agents', '/v3/avatars', '/v3/video-translations', '/v3/lipsyncs', '/v3/webhooks'];

/** Routes under the families' paths that the platform does not have: assetd's additions, each documented. */
const EXTENSIONS: readonly string[] = [
  'GET /v3/assets/{}/preview',
  // Resumable uploads in parts (README, Multipart uploads); completed through the platform's own complete.
  'POST /v3/assets/multipart-uploads',
  'GET /v3/assets/multipart-uploads/{}',
];

const CASES: readonly ConformanceCase[] = [...assetCases, ...jobCases, ...webhookCases];

let server: TestServer;
let origin: Origin;
let ctx: ConformanceContext;
beforeAll(async () => {
  origin = await startOrigin();
  origin.hook('/batch-hook', []);
  server = await startTestServer({
    env: { ASSETD_URL_FETCH_ALLOW_HTTP: 'true', ASSETD_URL_FETCH_ALLOW_CIDRS: '127.0.0.1/32' },
  });
  ctx = new ConformanceContext(server, origin.url);
});
afterAll(async () => {
  await server.server.batches.settled();
  await server.close();
  await origin.close();
});

describe('platform-v3.json conformance', () => {
  for (const c of CASES) {
    it(`${c.operation}: ${c.name}`, async () => {
      await c.run(ctx);
      expect(ctx.covered.has(c.operation), `${c.operation} never answered a conforming 2xx`).toBe(true);
    });
  }

  it('covers every operation of the six families that assetd routes, and routes nothing the platform lacks unlisted', async () => {
    const res = await server.api('/openapi.json');
    const document = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    const routed = Object.entries(document.paths)
      .filter(([path]) => FAMILIES.some((family) => path === family || path.startsWith(`${family}/`)))
      .flatMap(([path, methods]) => Object.keys(methods).filter((m) => m !== 'head').map((m) => `${m.toUpperCase()} ${shapeOf(path)}`));
    const specByShape = new Map(SPEC.map((op) => [`${op.method.toUpperCase()} ${shapeOf(op.path)}`, keyOf(op)]));
    const unknown = routed.filter((r) => !specByShape.has(r) && !EXTENSIONS.includes(r));
    expect(unknown, 'routes the platform does not have (list them in EXTENSIONS and the README)').toEqual([]);
    const uncovered = routed.filter((r) => specByShape.has(r) && !ctx.covered.has(specByShape.get(r)!));
    expect(uncovered, 'routed platform operations no case covered').toEqual([]);
  });
});

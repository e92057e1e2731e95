// Property-based fuzzing with fast-check, on a fixed seed: every POST and PATCH route under /v3 in /openapi.json
// (worker routes with a worker key) gets bodies made from its own schema's valid body by mutation, arbitrary JSON
// and broken text, with odd path ids and content types; POST /v3/assets gets random multipart bodies; the signed
// PUT gets random query values and headers. Whatever comes, the answer is never a 5xx and never a dropped
// connection, and every 4xx is the JSON envelope. FUZZ_RUNS sets the cases per property (default 2000; the JSON
// routes get twice as many), FUZZ_SEED the seed.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as media from '../support/media.js';
import { usesS3 } from '../support/backends.js';
import { startTestServer, TENANT_A, type TestServer } from '../support/server.js';
import { dropBucket } from './support/cleanup.js';
import { recordFigures } from './support/figures.js';
import { headerValue, jsonBodies, multipartCases, pathSegment, validBody, type Schema } from './support/fuzz.js';
import { isEnvelope, send, type Outcome } from './support/http.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_126);
const WORKER_KEY = 'fuzz-worker-key-000000000000';

let t: TestServer;
let doc: { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };
/** Real ids for path parameters and file inputs, by name. */
const ids: Record<string, string> = {};
const statuses = new Map<number, number>();
const failures: string[] = [];

/** Counts the answer; notes what breaks the rule: no answer, a 5xx, a 4xx outside the envelope. */
function judge(what: string, outcome: Outcome): boolean {
  if (!outcome.answered) {
    failures.push(`${what}: no answer (${outcome.error.message})`);
    return false;
  }
  statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
  if (outcome.status >= 500) failures.push(`${what}: ${outcome.status} ${outcome.body.toString('utf8').slice(0, 300)}`);
  else if (outcome.status >= 400 && !isEnvelope(outcome.json)) failures.push(`${what}: ${outcome.status} not in the envelope: ${outcome.body.toString('utf8').slice(0, 300)}`);
  else return true;
  return false;
}

async function upload(bytes: Buffer, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await t.api('/v3/assets', { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { asset_id: string } }).data.asset_id;
}

async function postJson(pathname: string, body: unknown, key = TENANT_A.key): Promise<Record<string, unknown>> {
  const res = await t.api(pathname, { method: 'POST', key, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Record<string, unknown> }).data;
}

beforeAll(async () => {
  t = await startTestServer({
    // Nothing leaves loopback: the bodies' URLs are loopback, which the fetcher refuses; a short timeout bounds it.
    env: { ASSETD_WORKER_KEYS: WORKER_KEY, ASSETD_URL_FETCH_TIMEOUT_SECONDS: '2', ASSETD_MAX_JSON_BYTES: String(8 * 1024 * 1024) },
  });
  doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as typeof doc;
  ids.png = await upload(media.png(), 'a.png');
  ids.mp4 = await upload(media.mp4(), 'a.mp4');
  ids.wav = await upload(media.wav(), 'a.wav');
  ids.asset_id = ((await postJson('/v3/assets/direct-uploads', { filename: 'p.png', content_type: 'image/png', size_bytes: 70 })).asset_id as string);
  ids.session_id = (await postJson('/v3/video-agents', { prompt: 'hi', mode: 'chat' })).session_id as string;
  ids.lipsync_id = (await postJson('/v3/lipsyncs', { video: { type: 'asset_id', asset_id: ids.mp4 }, audio: { type: 'asset_id', asset_id: ids.wav } })).lipsync_id as string;
  ids.video_translation_id = ((await postJson('/v3/video-translations', { video: { type: 'asset_id', asset_id: ids.mp4 }, output_languages: ['fr'] })).video_translation_ids as string[])[0]!;
  const claimed = await postJson('/v3/worker/jobs/claim', {}, WORKER_KEY);
  ids.job_id = claimed.job_id as string;
  ids.lease_id = claimed.lease_id as string;
});

afterAll(async () => {
  await t?.close();
  await dropBucket(t?.backend);
});

const fileInput = (assetId: string) => ({ type: 'asset_id', asset_id: assetId });

/** What a route's schema alone cannot make valid: real ids, real files of the right kind, loopback URLs. */
function overrides(): Record<string, unknown> {
  const png = fileInput(ids.png!);
  return {
    filename: 'a.png',
    content_type: 'image/png',
    size_bytes: media.png().length,
    checksum_sha256: null,
    callback_url: null,
    batch_id: 'batch_0000',
    lease_id: ids.lease_id,
    output: { type: 'base64', media_type: 'image/png', data: media.png().toString('base64') },
    video: fileInput(ids.mp4!),
    audio: fileInput(ids.wav!),
    file: png,
    files: [png],
    reference_images: [png],
    output_languages: ['fr'],
    type: 'photo',
    url: 'http://127.0.0.1:9/none',
  };
}

interface Route {
  readonly method: string;
  readonly path: string;
  readonly valid: unknown;
  readonly key: string;
}

function routes(): Route[] {
  const out: Route[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v3/')) continue;
    for (const [method, op] of Object.entries(item)) {
      if (method !== 'post' && method !== 'patch') continue;
      const schema = op.requestBody?.content?.['application/json']?.schema;
      if (!schema) continue;
      const valid = validBody(schema, doc.components.schemas, overrides() as never);
      out.push({ method: method.toUpperCase(), path, valid, key: path.startsWith('/v3/worker/') ? WORKER_KEY : TENANT_A.key });
    }
  }
  return out;
}

/** The route's path with each {param} replaced: the real id, or something odd. */
function pathFor(path: string): fc.Arbitrary<string> {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return fc.constant(path);
  return fc.tuple(...names.map((n) => pathSegment(ids[n] ?? 'x'))).map((values) => {
    let out = path;
    names.forEach((n, i) => (out = out.replace(`{${n}}`, values[i]!)));
    return out;
  });
}

const keyChoice = (key: string) =>
  fc.oneof({ arbitrary: fc.constant<string | null>(key), weight: 12 }, { arbitrary: fc.constantFrom<string | null>(null, 'wrong-key-000000000000', TENANT_A.key, WORKER_KEY), weight: 1 });

describe('fuzzing (fast-check, seed ' + SEED + ')', () => {
  it('every POST and PATCH route under /v3: mutated, arbitrary and broken JSON bodies', async (context) => {
    const all = routes();
    expect(all.length).toBeGreaterThanOrEqual(15);
    let cases = 0;
    statuses.clear();
    const property = fc.asyncProperty(
      fc.constantFrom(...all).chain((route) =>
        fc.record({
          route: fc.constant(route),
          path: pathFor(route.path),
          body: jsonBodies(route.valid as never),
          key: keyChoice(route.key),
          idempotencyKey: fc.option(headerValue, { freq: 8, nil: undefined }),
        }),
      ),
      async ({ route, path, body, key, idempotencyKey }) => {
        cases += 1;
        const headers: Record<string, string> = {};
        if (body.contentType !== null) headers['content-type'] = body.contentType;
        if (key !== null) headers['x-api-key'] = key;
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        const outcome = await send(`${t.url}${path}`, { method: route.method, headers, body: body.bytes, timeoutMs: 30_000 });
        return judge(`${route.method} ${path.slice(0, 120)} (${body.bytes.length} bytes: ${body.bytes.subarray(0, 200).toString('utf8')})`, outcome);
      },
    );
    await fc.assert(property, { seed: SEED, numRuns: 2 * RUNS });
    recordFigures(context, { routes: all.length, cases, '5xx seen': fivexx(), statuses: histogram() });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('POST /v3/assets: random multipart parts, names, boundaries and truncations', async (context) => {
    let cases = 0;
    statuses.clear();
    const files = [media.png(), media.jpeg(), media.wav(), media.pdf(), media.text()];
    const property = fc.asyncProperty(multipartCases(files), keyChoice(TENANT_A.key), async ({ body, contentType }, key) => {
      cases += 1;
      const headers: Record<string, string> = { 'content-type': contentType };
      if (key !== null) headers['x-api-key'] = key;
      const outcome = await send(`${t.url}/v3/assets`, { method: 'POST', headers, body, timeoutMs: 30_000 });
      return judge(`POST /v3/assets (${contentType}, ${body.length} bytes: ${JSON.stringify(body.subarray(0, 300).toString('latin1'))})`, outcome);
    });
    await fc.assert(property, { seed: SEED, numRuns: RUNS });
    recordFigures(context, { cases, '5xx seen': fivexx(), statuses: histogram() });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  // On S3 the upload URL is the object store's, not assetd's.
  it.skipIf(usesS3)(`the signed PUT: random query values and headers${usesS3 ? ' (skipped: on S3 the PUT goes to the store)' : ''}`, async (context) => {
    const bytes = media.png();
    const digest = createHash('sha256').update(bytes).digest('hex');
    const init = await postJson('/v3/assets/direct-uploads', { filename: 'f.png', content_type: 'image/png', size_bytes: bytes.length, checksum_sha256: digest });
    const signed = new URL(init.upload_url as string);
    const signedHeaders = init.upload_headers as Record<string, string>;
    const params = [...signed.searchParams.keys()];
    let cases = 0;
    statuses.clear();
    const queryValue = fc.oneof(
      { arbitrary: fc.constant<string | null>('keep'), weight: 6 },
      { arbitrary: fc.constant<string | null>(null), weight: 1 },
      { arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }), weight: 2 },
      { arbitrary: fc.constantFrom('', '0', '-1', '00', '1e3', '9'.repeat(40), 'NaN', digest.toUpperCase(), '%zz', 'a'.repeat(5000)), weight: 2 },
    );
    const property = fc.asyncProperty(
      fc.record({
        query: fc.tuple(...params.map(() => queryValue)),
        twice: fc.option(fc.constantFrom(...params), { freq: 6, nil: undefined }),
        extra: fc.option(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { freq: 6, nil: undefined }),
        id: pathSegment(signed.pathname.split('/').pop()!),
        headers: fc.dictionary(
          fc.constantFrom('content-type', 'x-amz-checksum-sha256', 'content-md5', 'expect', 'x-api-key', 'range', 'transfer-encoding'),
          headerValue,
          { maxKeys: 3 },
        ),
        keepHeaders: fc.boolean(),
        size: fc.oneof({ arbitrary: fc.constant(bytes.length), weight: 4 }, { arbitrary: fc.nat(bytes.length + 10), weight: 1 }),
      }),
      async ({ query, twice, extra, id, headers, keepHeaders, size }) => {
        cases += 1;
        const url = new URL(signed);
        url.pathname = `/uploads/${id}`;
        params.forEach((name, i) => {
          const value = query[i];
          if (value === null) url.searchParams.delete(name);
          else if (value !== 'keep') url.searchParams.set(name, value!);
        });
        if (twice !== undefined) url.searchParams.append(twice, url.searchParams.get(twice) ?? 'x');
        if (extra !== undefined) url.searchParams.append(extra[0], extra[1]);
        const sent: Record<string, string> = { ...(keepHeaders ? signedHeaders : {}), ...headers };
        // Node frames the body itself; a declared chunked body with a length would be a different request.
        if (sent['transfer-encoding'] !== undefined) sent['transfer-encoding'] = 'chunked';
        const body = Buffer.concat([bytes, Buffer.alloc(10)]).subarray(0, size);
        const outcome = await send(url.toString(), { method: 'PUT', headers: sent, body, timeoutMs: 30_000 });
        return judge(`PUT ${url.pathname}${url.search.slice(0, 300)} ${JSON.stringify(sent)}`, outcome);
      },
    );
    await fc.assert(property, { seed: SEED, numRuns: RUNS });
    recordFigures(context, { cases, '5xx seen': fivexx(), statuses: histogram() });
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  // Found by the signed-PUT fuzzing: Node's own 417 had no body.
  it('an Expect header other than 100-continue is answered in the envelope', async () => {
    const outcome = await send(`${t.url}/v3/assets`, { method: 'POST', headers: { 'x-api-key': TENANT_A.key, expect: 'something' }, body: 'x' });
    expect(outcome.answered && outcome.status).toBe(417);
    expect(outcome.answered && isEnvelope(outcome.json)).toBe(true);
  });

  // Found by the JSON fuzzing on PostgreSQL, which refuses NUL in a query: a 500 before.
  it('an id with a NUL character is refused or not found, on every route that takes one', async () => {
    const tries: [string, string, unknown][] = [
      ['GET', '/v3/assets/%00', undefined],
      ['DELETE', '/v3/assets/%00', undefined],
      ['POST', '/v3/assets/%00/complete', {}],
      ['GET', '/v3/assets/batches/%00', undefined],
      ['GET', '/v3/assets/statuses?asset_ids=%00', undefined],
      ['POST', '/v3/assets/complete/batches', { batch_id: '\u0000' }],
      ['GET', '/v3/video-agents/%00', undefined],
      ['POST', '/v3/video-agents/%00/stop', {}],
      ['PATCH', '/v3/lipsyncs/%00', { title: 'x' }],
      ['POST', '/v3/lipsyncs', { video: { type: 'asset_id', asset_id: 'asset_\u0000' }, audio: { type: 'asset_id', asset_id: ids.wav } }],
    ];
    for (const [method, path, body] of tries) {
      const headers: Record<string, string> = { 'x-api-key': TENANT_A.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
      const outcome = await send(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      expect(outcome.answered && [method, path, outcome.status]).toEqual([method, path, expect.toSatisfy((s: number) => s === 400 || s === 404)]);
    }
  });

  it('left nothing unanswered, no 5xx, every 4xx in the envelope', () => {
    expect(failures).toEqual([]);
  });
});

function histogram(): string {
  return [...statuses.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
}

function fivexx(): number {
  return [...statuses.entries()].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
}

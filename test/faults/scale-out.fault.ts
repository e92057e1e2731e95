// Scale-out faults (ASSETD_TEST_CONFIG=pg-s3 only): PostgreSQL stopped and started again mid-traffic, and the S3
// store (radosgw) stopped and started again mid-traffic, each down for a few seconds. While one is down, what needs
// it answers 503 service_unavailable with Retry-After (never a 400, never a bare 500, never a dropped connection),
// /healthz stays 200 and /readyz says 503; once it is back, assetd recovers by itself, without a restart, and every
// upload it acknowledged reads back whole. The servers are private instances (test/faults/support/services.ts), so
// stopping them disturbs no other suite; they are removed at the end whatever happens.
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Env, services, usesS3 } from '../support/backends.js';
import { startTestServer, TENANT_A, type TestServer } from '../support/server.js';
import { dropBucket } from './support/cleanup.js';
import { recordFigures, seconds } from './support/figures.js';
import { isEnvelope, send, sendJson, uploadOne, type Outcome } from './support/http.js';
import { pngOf } from './support/random.js';
import { PrivateGateway, PrivatePostgres, privateServicesUnavailable } from './support/services.js';

const DOWN_MS = 3000;
const CLIENTS = 4;
const unavailable = usesS3 ? privateServicesUnavailable() : null;
const skipReason = !usesS3 ? 'only with ASSETD_TEST_CONFIG=pg-s3' : unavailable;
// CI asks for every server: there, not being able to start them is a failure, not a skip.
if (unavailable && process.env.ASSETD_TEST_REQUIRE_SERVICES === '1') throw new Error(`scale-out faults cannot run: ${unavailable}`);

type Op = 'upload' | 'list' | 'initiate' | 'file';

interface Answer {
  readonly at: number;
  readonly op: Op;
  readonly outcome: Outcome;
}

/** Clients running a mix of requests until stopped; every answer kept with its time. */
class Traffic {
  readonly answers: Answer[] = [];
  /** Uploads answered 200: asset id → SHA-256 of what was sent. */
  readonly acknowledged = new Map<string, string>();
  private readonly files: string[] = [];
  private stopped = false;
  private readonly running: Promise<void>[];

  constructor(private readonly t: TestServer) {
    this.running = Array.from({ length: CLIENTS }, (_, i) => this.client(i));
  }

  private async client(i: number): Promise<void> {
    const ops: Op[] = ['upload', 'list', 'initiate', 'file'];
    for (let n = i; !this.stopped; n++) {
      const op = ops[n % ops.length]!;
      const outcome = await this.one(op);
      this.answers.push({ at: Date.now(), op, outcome });
      await delay(20);
    }
  }

  private async one(op: Op): Promise<Outcome> {
    const { url } = this.t;
    switch (op) {
      case 'upload': {
        const bytes = pngOf(64 * 1024);
        const outcome = await uploadOne(url, TENANT_A.key, bytes);
        if (outcome.answered && outcome.status === 200) {
          this.acknowledged.set(outcome.json.data.asset_id, createHash('sha256').update(bytes).digest('hex'));
          this.files.push(outcome.json.data.url);
        }
        return outcome;
      }
      case 'list':
        return send(`${url}/v3/assets?limit=5`, { headers: { 'x-api-key': TENANT_A.key } });
      case 'initiate':
        return sendJson(`${url}/v3/assets/direct-uploads`, TENANT_A.key, 'POST', { filename: 'a.png', content_type: 'image/png', size_bytes: 1000 });
      case 'file':
        return this.files.length > 0 ? send(this.files[this.files.length - 1]!) : send(`${url}/v3/assets?limit=1`, { headers: { 'x-api-key': TENANT_A.key } });
    }
  }

  /** Resolves once an upload answered 200 after `since`; when it came. */
  async uploadSucceededAfter(since: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ok = this.answers.find((a) => a.at > since && a.op === 'upload' && a.outcome.answered && a.outcome.status === 200);
      if (ok) return ok.at;
      if (Date.now() > deadline) throw new Error(`no upload succeeded within ${timeoutMs} ms`);
      await delay(50);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }
}

/** What broke the rules: no answer, or anything but 2xx/404 and 503 service_unavailable with Retry-After. */
function offences(answers: readonly Answer[]): string[] {
  const out: string[] = [];
  for (const { op, outcome } of answers) {
    if (!outcome.answered) out.push(`${op}: no answer (${outcome.error.message})`);
    else if (outcome.status === 503) {
      if (!isEnvelope(outcome.json) || outcome.json.error.code !== 'service_unavailable' || outcome.headers['retry-after'] === undefined) {
        out.push(`${op}: 503 without the envelope or Retry-After: ${JSON.stringify(outcome.headers)} ${outcome.body.toString('utf8').slice(0, 200)}`);
      }
    } else if (outcome.status >= 300) out.push(`${op}: ${outcome.status} ${outcome.body.toString('utf8').slice(0, 200)}`);
  }
  return out;
}

const count = (answers: readonly Answer[], op: Op, status: number) =>
  answers.filter((a) => a.op === op && a.outcome.answered && a.outcome.status === status).length;

describe.skipIf(skipReason !== null)(`scale-out faults${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let postgres: PrivatePostgres | null = null;
  let gateway: PrivateGateway | null = null;
  let t: TestServer | null = null;

  beforeAll(async () => {
    postgres = await PrivatePostgres.create();
    gateway = await PrivateGateway.create();
    const bucket = `assetd-fault-${process.pid}-${Date.now().toString(16)}`;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: gateway.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: services.s3AccessKeyId!, secretAccessKey: services.s3SecretAccessKey! },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    t = await startTestServer({
      backend: { ASSETD_DATABASE_URL: postgres.url, ...s3Env(bucket), ASSETD_S3_ENDPOINT: gateway.endpoint },
      env: { ASSETD_DATABASE_POOL_SIZE: '4' },
    });
  });

  afterAll(async () => {
    // Back up before anything closes, whatever happened, then removed.
    await gateway?.start().catch(() => {});
    await postgres?.start().catch(() => {});
    await t?.close().catch(() => {});
    await dropBucket(t?.backend).catch(() => {});
    await gateway?.destroy();
    await postgres?.destroy();
  });

  /** Every acknowledged upload serves exactly the bytes that were sent. */
  async function expectAllWhole(traffic: Traffic): Promise<number> {
    let lost = 0;
    for (const [id, sha] of traffic.acknowledged) {
      const record = ((await (await t!.api(`/v3/assets/${id}`)).json()) as { data?: { url?: string } }).data;
      const res = record?.url ? await fetch(record.url) : null;
      const bytes = res ? Buffer.from(await res.arrayBuffer()) : Buffer.alloc(0);
      if (res?.status !== 200 || createHash('sha256').update(bytes).digest('hex') !== sha) lost += 1;
    }
    expect(lost).toBe(0);
    return lost;
  }

  async function outage(name: string, stop: () => Promise<void> | void, start: () => Promise<void>) {
    const traffic = new Traffic(t!);
    await delay(1000);
    const downAt = Date.now();
    await stop();
    await delay(DOWN_MS / 2);
    const healthz = (await fetch(`${t!.url}/healthz`)).status;
    const readyz = await fetch(`${t!.url}/readyz`);
    await delay(DOWN_MS / 2);
    const upAt = Date.now();
    await start();
    const startedAt = Date.now();
    const recoveredAt = await traffic.uploadSucceededAfter(startedAt);
    await delay(1000);
    await traffic.stop();
    const during = traffic.answers.filter((a) => a.at > downAt + 500 && a.at < upAt);
    return { name, traffic, during, healthz, readyz: readyz.status, readyzRetryAfter: readyz.headers.get('retry-after'), recovery: recoveredAt - startedAt };
  }

  it('PostgreSQL stopped for 3 s mid-traffic: 503 with Retry-After meanwhile, recovered without a restart', async (context) => {
    const run = await outage('postgres', () => postgres!.stop(), () => postgres!.start());
    expect(offences(run.traffic.answers)).toEqual([]);
    expect(run.healthz).toBe(200);
    expect(run.readyz).toBe(503);
    expect(run.readyzRetryAfter).not.toBeNull();
    // Everything needs the database: nothing succeeds while it is down.
    expect(run.during.length).toBeGreaterThan(0);
    expect(run.during.every((a) => a.outcome.answered && a.outcome.status === 503)).toBe(true);
    expect(run.recovery).toBeLessThan(15_000);
    const lost = await expectAllWhole(run.traffic);
    expect(await t!.pendingWrites()).toBe(0);
    recordFigures(context, {
      requests: run.traffic.answers.length,
      'answered 503 while down': run.during.length,
      'other answers': offences(run.traffic.answers).length,
      'recovery after start': seconds(run.recovery),
      acknowledged: run.traffic.acknowledged.size,
      lost,
    });
  });

  it('the S3 store stopped for 3 s mid-traffic: uploads and files 503 with Retry-After meanwhile, recovered without a restart', async (context) => {
    const run = await outage('s3', () => gateway!.stop(), () => gateway!.start());
    expect(offences(run.traffic.answers)).toEqual([]);
    expect(run.healthz).toBe(200);
    expect(run.readyz).toBe(503);
    // What needs the bytes is refused; what needs only the database goes on.
    expect(count(run.during, 'upload', 200)).toBe(0);
    expect(count(run.during, 'upload', 503)).toBeGreaterThan(0);
    expect(count(run.during, 'list', 200)).toBeGreaterThan(0);
    expect(run.recovery).toBeLessThan(15_000);
    const lost = await expectAllWhole(run.traffic);
    recordFigures(context, {
      requests: run.traffic.answers.length,
      'uploads answered 503 while down': count(run.during, 'upload', 503),
      'reads answered 200 while down': count(run.during, 'list', 200),
      'other answers': offences(run.traffic.answers).length,
      'recovery after start': seconds(run.recovery),
      acknowledged: run.traffic.acknowledged.size,
      lost,
    });
  });
});

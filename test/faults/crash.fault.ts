// kill -9 of a real `assetd serve` mid-traffic. Concurrent clients run whole upload flows (single-request POSTs;
// initiate, presigned PUT, complete; some DELETEs) while the process is killed at a random point during each kind
// of request and started again, ROUNDS times. Clients behave like the real client: a cut PUT or complete is tried
// again after the restart, a cut POST or DELETE is given up. Then, on the same data and backends:
// - every upload a client saw acknowledged (200) reads back byte-exact, unless the client deleted it;
// - nothing partial is visible: every listed, completed asset serves exactly its size and SHA-256;
// - a complete cut by the kill finishes within seconds of the restart (its lease lapses; measured);
// - the reaper's abandoned-write pass (idle 0) leaves no temp file or multipart upload, and its orphan sweep (clock
//   moved past the orphan age) removes what cut uploads and deletes left without a row, and nothing else.
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { usesS3 } from '../support/backends.js';
import { TENANT_A, testClock, type TestServer } from '../support/server.js';
import type { ChildServer } from './support/child.js';
import { killableServer } from './support/killable.js';
import { recordFigures, seconds } from './support/figures.js';
import { send, sendJson, uploadOne, type Outcome } from './support/http.js';
import { between, pngOf, seeded } from './support/random.js';

const ROUNDS = Number(process.env.FAULT_KILL_ROUNDS ?? 5);
const CLIENTS = Number(process.env.FAULT_CLIENTS ?? 8);
const random = seeded(Number(process.env.FAULT_SEED ?? 20_251_126));
const KEY = TENANT_A.key;
const HOUR_MS = 60 * 60 * 1000;
// Smaller files on S3: the test Ceph holds every byte in memory, deleted ones too until its garbage collection runs.
const MAX_SMALL = (usesS3 ? 1 : 4) * 1024 * 1024;
const MAX_DIRECT = (usesS3 ? 3 : 10) * 1024 * 1024;
const BIG_SHARE = usesS3 ? 0.05 : 0.2;

type Kind = 'single' | 'initiate' | 'put' | 'complete' | 'delete';
/** What each round kills during; 'any' kills at a random moment of the traffic. */
const TARGETS: readonly (Kind | 'any')[] = ['complete', 'single', 'put', 'delete', 'complete', 'any'];

interface Stored {
  readonly assetId: string;
  readonly sha256: string;
  readonly size: number;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Whether the server is up: clients that were cut wait on it, and the kill loop closes and opens it. */
class Gate {
  private opened: Promise<void> = Promise.resolve();
  private open_: () => void = () => {};
  close(): void {
    this.opened = new Promise((resolve) => (this.open_ = resolve));
  }
  open(): void {
    this.open_();
  }
  wait(): Promise<void> {
    return this.opened;
  }
}

class Traffic {
  stopped = false;
  readonly gate = new Gate();
  readonly inFlight: Record<Kind, number> = { single: 0, initiate: 0, put: 0, complete: 0, delete: 0 };
  readonly cut: Record<Kind, number> = { single: 0, initiate: 0, put: 0, complete: 0, delete: 0 };
  /** Every upload a client saw answered 200, by asset id. */
  readonly acknowledged = new Map<string, Stored>();
  /** Acknowledged deletes: these must be gone. */
  readonly deleted = new Set<string>();
  /** Deletes cut by a kill: gone, or still whole. */
  readonly deleteCut = new Set<string>();
  /** For each complete cut by a kill: from the restart that followed to its 200. */
  readonly recoveries: number[] = [];
  /** Answers no client should get from a server that is merely killed and restarted. */
  readonly unexpected: string[] = [];

  constructor(private readonly server: ChildServer) {}

  private async call(kind: Kind, request: () => Promise<Outcome>): Promise<Outcome> {
    this.inFlight[kind] += 1;
    try {
      const outcome = await request();
      if (!outcome.answered) this.cut[kind] += 1;
      return outcome;
    } finally {
      this.inFlight[kind] -= 1;
    }
  }

  private odd(what: string, outcome: Outcome & { answered: true }): void {
    this.unexpected.push(`${what}: ${outcome.status} ${outcome.body.toString('utf8').slice(0, 200)}`);
  }

  async client(): Promise<void> {
    while (!this.stopped) {
      await this.gate.wait();
      if (random() < 0.5) await this.single();
      else await this.direct();
    }
  }

  private async single(): Promise<void> {
    // Some past 8 MiB: on S3 those stream into a multipart upload, which a kill leaves unfinished.
    const size = random() < BIG_SHARE ? between(random, 9 * 1024 * 1024, 10 * 1024 * 1024) : between(random, 16 * 1024, MAX_SMALL);
    const bytes = pngOf(size);
    const answer = await this.call('single', () => uploadOne(this.server.url, KEY, bytes));
    if (!answer.answered) return;
    if (answer.status !== 200) return this.odd('POST /v3/assets', answer);
    await this.acknowledge({ assetId: answer.json.data.asset_id, sha256: sha256(bytes), size: bytes.length });
  }

  private async direct(): Promise<void> {
    const bytes = pngOf(between(random, 16 * 1024, MAX_DIRECT));
    const digest = sha256(bytes);
    const init = await this.call('initiate', () =>
      sendJson(`${this.server.url}/v3/assets/direct-uploads`, KEY, 'POST', {
        filename: 'fault.png',
        content_type: 'image/png',
        size_bytes: bytes.length,
        checksum_sha256: digest,
      }),
    );
    if (!init.answered) return;
    if (init.status !== 200) return this.odd('initiate', init);
    const { asset_id: assetId, upload_url: uploadUrl, upload_headers: headers } = init.json.data;
    for (;;) {
      const put = await this.call('put', () => send(uploadUrl, { method: 'PUT', headers, body: bytes }));
      if (put.answered && put.status === 200) break;
      if (put.answered) return this.odd('PUT', put);
      await this.gate.wait();
    }
    let cutBefore = false;
    for (;;) {
      const done = await this.call('complete', () => sendJson(`${this.server.url}/v3/assets/${assetId}/complete`, KEY, 'POST', {}));
      if (!done.answered) {
        cutBefore = true;
        await this.gate.wait();
        continue;
      }
      if (done.status !== 200) return this.odd('complete', done);
      if (cutBefore) this.recoveries.push(Date.now() - this.server.readyAt);
      break;
    }
    await this.acknowledge({ assetId, sha256: digest, size: bytes.length });
  }

  private async acknowledge(stored: Stored): Promise<void> {
    this.acknowledged.set(stored.assetId, stored);
    if (random() >= 0.3) return;
    const answer = await this.call('delete', () =>
      send(`${this.server.url}/v3/assets/${stored.assetId}`, { method: 'DELETE', headers: { 'x-api-key': KEY } }),
    );
    if (!answer.answered) this.deleteCut.add(stored.assetId);
    else if (answer.status === 200) this.deleted.add(stored.assetId);
    else this.odd('DELETE', answer);
  }
}

/** Polls (every millisecond) until `check` holds or `timeoutMs` passes; whether it held. */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await delay(1);
  }
  return true;
}

interface Listed {
  asset_id: string;
  status: string;
  url: string | null;
  size_bytes: number;
  sha256: string | null;
}

async function allAssets(t: TestServer): Promise<Listed[]> {
  const assets: Listed[] = [];
  let token = '';
  for (;;) {
    const page = (await (await t.api(`/v3/assets?limit=100${token ? `&token=${encodeURIComponent(token)}` : ''}`)).json()) as {
      data: Listed[];
      has_more: boolean;
      next_token: string | null;
    };
    assets.push(...page.data);
    if (!page.has_more || !page.next_token) return assets;
    token = page.next_token;
  }
}

/** The bytes a url serves now: status, length and SHA-256. */
async function served(url: string): Promise<{ status: number; size: number; sha256: string }> {
  const res = await fetch(url);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, size: bytes.length, sha256: sha256(bytes) };
}

/** What a run left: listed completed assets whose bytes are missing or short, and acknowledged uploads lost. */
async function audit(t: TestServer, traffic: Traffic) {
  const listed = await allAssets(t);
  let partial = 0;
  for (const asset of listed.filter((a) => a.status === 'completed')) {
    const got = await served(asset.url!);
    if (got.status !== 200 || got.size !== asset.size_bytes || got.sha256 !== asset.sha256) partial += 1;
  }
  const byId = new Map(listed.map((a) => [a.asset_id, a]));
  const lost: string[] = [];
  for (const [id, stored] of traffic.acknowledged) {
    if (traffic.deleted.has(id) || traffic.deleteCut.has(id)) continue;
    const asset = byId.get(id);
    const got = asset?.url ? await served(asset.url) : null;
    if (asset?.status !== 'completed' || got?.status !== 200 || got.size !== stored.size || got.sha256 !== stored.sha256) lost.push(id);
  }
  const resurrected = [...traffic.deleted].filter((id) => byId.has(id));
  // A delete cut by the kill went through or did not: the asset is gone, or whole (checked with the listed ones).
  const halfDeleted = [...traffic.deleteCut].filter((id) => byId.has(id) && byId.get(id)!.status !== 'completed');
  return { listed: listed.length, partial, lost, resurrected, halfDeleted };
}

/** Stored objects no record points to: what the orphan sweep should remove. */
/**
 * Objects no record accounts for: asset objects no asset points to, and staged objects that are neither an existing
 * asset's plain staging key (uploads/<id>) nor the receipt (uploads/<id>.<suffix>) its asset records.
 */
async function orphans(t: TestServer): Promise<string[]> {
  const records = t.server.metadata.assets;
  const assetKeys = await t.objects('assets/');
  const usedKeys = await records.storageKeysInUse(assetKeys);
  const staged: string[] = [];
  for (const key of await t.objects('uploads/')) {
    const [id, suffix] = key.slice('uploads/'.length).split('.');
    const asset = await records.findAssetById(id!);
    if (!asset || (suffix !== undefined && asset.receipt?.key !== key)) staged.push(key);
  }
  return [...assetKeys.filter((k) => !usedKeys.has(k)), ...staged];
}

describe('kill -9 of assetd serve mid-traffic', () => {
  const killable = killableServer();

  it(`loses no acknowledged upload and shows nothing partial across ${ROUNDS} kills`, async (context) => {
    const { server } = killable;
    await server.start();
    const traffic = new Traffic(server);
    const clients = Array.from({ length: CLIENTS }, () => traffic.client());
    const restarts: number[] = [];
    const missedTargets: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await delay(between(random, 600, 1800));
      const target = TARGETS[round % TARGETS.length]!;
      // A random point during a request of this kind: once one is in flight, 0-3 ms into it.
      if (target !== 'any' && !(await until(() => traffic.inFlight[target] > 0, 8000))) missedTargets.push(target);
      await delay(between(random, 0, 3));
      traffic.gate.close();
      await server.kill9();
      restarts.push(await server.start());
      traffic.gate.open();
    }
    await delay(1000);
    traffic.stopped = true;
    await Promise.all(clients);
    await server.kill9();

    // The same data and backends, in this process: the API to read everything back, and the reaper to run.
    const clock = testClock();
    const t = await killable.verify(clock.now);
    const before = await audit(t, traffic);
    const leftWrites = await t.pendingWrites();
    const orphansBefore = await orphans(t);

    // The reaper's abandoned-write step with no idle time: nothing of this process is in flight, so every temp
    // file (multipart upload on S3) left is a killed process's.
    await t.server.storage.removeAbandonedWrites(0);
    const tempAfter = await t.pendingWrites();
    clock.advance(2 * HOUR_MS);
    const report = await t.server.reaper.runOnce();
    const orphansAfter = await orphans(t);
    const after = await audit(t, traffic);

    const acknowledged = traffic.acknowledged.size;
    const recoveryMax = Math.max(0, ...traffic.recoveries);
    recordFigures(context, {
      kills: ROUNDS,
      clients: CLIENTS,
      acknowledged,
      deleted: traffic.deleted.size,
      lost: after.lost.length,
      'partial visible': after.partial,
      'cut requests': Object.entries(traffic.cut)
        .map(([k, n]) => `${k} ${n}`)
        .join(' / '),
      'killed completes recovered': traffic.recoveries.length,
      'recovery after restart (max)': seconds(recoveryMax),
      'restart (max)': seconds(Math.max(...restarts)),
      'temp files left by kills': leftWrites,
      'orphans swept': report.orphanedObjects,
    });

    expect(traffic.unexpected).toEqual([]);
    expect(missedTargets).toEqual([]);
    expect(acknowledged).toBeGreaterThan(ROUNDS * 4);
    for (const audit of [before, after]) {
      expect(audit.lost).toEqual([]);
      expect(audit.partial).toBe(0);
      expect(audit.resurrected).toEqual([]);
      expect(audit.halfDeleted).toEqual([]);
    }
    // Every complete a kill cut was answered after the restart, within the lease (10 s) and a margin.
    expect(traffic.cut.complete).toBeGreaterThan(0);
    expect(traffic.recoveries.length).toBeGreaterThan(0);
    expect(recoveryMax).toBeLessThan(15_000);
    expect(tempAfter).toBe(0);
    expect(report.orphanedObjects).toBe(orphansBefore.length);
    expect(orphansAfter).toEqual([]);
  });
});

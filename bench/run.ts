// `npm run bench`: assetd's upload throughput side by side with the machine's limit (a bare node:http server with the
// same durability) and with @tus/server, in one run, as one Markdown table plus one JSON line. Every server is a child
// process on a free loopback port with a fresh temp dir; each round measures every contender of every scenario, in an
// order that rotates from round to round, and the table shows the medians over rounds. The scale-out rows (PostgreSQL
// + Ceph RGW from scripts/services-up.sh) run when those services are there. Exit 0 unless something broke: a goal
// not held is a finding, not a failure.
//
// Knobs: BENCH_ROUNDS (5), BENCH_SECONDS (3: load per contender per round for uploads/s), BENCH_CONCURRENCY (32),
// BENCH_SCALEOUT (auto: when the services answer; 1: required; 0: off), BENCH_ONLY (run only the scenarios whose
// name contains it, e.g. "16 KiB"), BENCH_ASSETD_ROOT (a checkout whose built dist/ is measured; default this one),
// BENCH_ASSETD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), BENCH_ASSETD_LOG_LEVEL (default: assetd's),
// BENCH_TIMEOUT_SECONDS (900: the whole run, then it stops itself).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  assetdDirect,
  assetdSingle,
  bare,
  BENCH_ROOT,
  sdkPut,
  startAssetd,
  startBenchServer,
  tus,
  type Contender,
} from './contenders.js';
import { Fleet } from './fleet.js';
import { loadAverage, MiB } from './lib.js';
import { measureRate, measureThroughput } from './measure.js';
import { Payload } from './payload.js';
import { compact, markdown, row, type RowSpec, type Sample } from './report.js';
import { collectGarbage, freshBucket, freshDatabase, probe, s3Client, servicesSettings, type Services } from './scaleout.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const ROUNDS = Math.round(setting('BENCH_ROUNDS', 5));
const SECONDS = setting('BENCH_SECONDS', 3);
const CONCURRENCY = Math.round(setting('BENCH_CONCURRENCY', 32));
const TIMEOUT_SECONDS = setting('BENCH_TIMEOUT_SECONDS', 900);
const SCALEOUT = process.env.BENCH_SCALEOUT ?? 'auto';
const ONLY = process.env.BENCH_ONLY ?? '';
const ASSETD_ROOT = path.resolve(process.env.BENCH_ASSETD_ROOT || BENCH_ROOT);
const ASSETD_NODE_ARGS = (process.env.BENCH_ASSETD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const ASSETD_LOG_LEVEL = process.env.BENCH_ASSETD_LOG_LEVEL;
if (!['auto', '0', '1'].includes(SCALEOUT)) throw new Error(`BENCH_SCALEOUT must be auto, 0 or 1, got "${SCALEOUT}"`);

interface Scenario {
  readonly name: string;
  readonly payload: Payload;
  /** uploads/s under a closed loop, or MB/s over `uploads` sequential uploads per round. */
  readonly kind: 'rate' | 'throughput';
  readonly uploads: number;
  readonly contenders: Readonly<Record<string, Contender>>;
  readonly sampleRss?: boolean;
  /** Runs after each measurement, untimed. */
  readonly settle?: () => void;
}

const KiB = 1024;
const BIG = 256 * MiB;
const SINGLE_GOAL = { bare: 0.8, tus: true, p99Ms: 50 };

const rowSpecs: RowSpec[] = [
  { work: `16 KiB uploads/s, concurrency ${CONCURRENCY}: POST /v3/assets`, scenario: '16 KiB', assetd: 'single', bare: 'bare', tus: 'tus', goal: SINGLE_GOAL },
  { work: `16 KiB uploads/s, concurrency ${CONCURRENCY}: the floor (not assetd: Fastify + @fastify/multipart doing bare's work)`, scenario: '16 KiB', assetd: 'floor', bare: 'bare', tus: 'tus', goal: 'reference' },
  { work: `16 KiB uploads/s, concurrency ${CONCURRENCY}: direct (init + PUT + complete)`, scenario: '16 KiB', assetd: 'direct', bare: 'bare', tus: 'tus', goal: { bare: 0.5 } },
  { work: '1 MiB, one request: POST /v3/assets', scenario: '1 MiB', assetd: 'single', bare: 'bare', tus: 'tus', goal: { bare: 0.8, tus: true } },
  { work: '32 MiB, one request: POST /v3/assets', scenario: '32 MiB', assetd: 'single', bare: 'bare', tus: 'tus', goal: { bare: 0.9, tus: true } },
  { work: '32 MiB, direct end to end', scenario: '32 MiB', assetd: 'direct', bare: 'bare', tus: 'tus', goal: { bare: 0.9, tus: true } },
  { work: '256 MiB, direct end to end', scenario: '256 MiB', assetd: 'direct', bare: 'bare', tus: 'tus', goal: { bare: 0.9, tus: true }, rss: true },
  { work: `PG + S3: 16 KiB uploads/s, concurrency ${CONCURRENCY}: POST /v3/assets`, scenario: 'PG + S3 16 KiB', assetd: 'single', bare: 'bare', goal: { bare: 0.8 } },
  { work: 'PG + S3: 32 MiB, one request: POST /v3/assets', scenario: 'PG + S3 32 MiB', assetd: 'single', bare: 'bare', goal: { bare: 0.9 } },
  { work: 'PG + S3: 256 MiB, presigned PUT end to end', scenario: 'PG + S3 256 MiB', assetd: 'direct', bare: 'bare', goal: { bare: 0.9 }, rss: true },
];

/** The version of a package as installed (its package.json is not among its exports). */
function installed(name: string): string {
  return (JSON.parse(readFileSync(path.join(BENCH_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

const LEGEND = [
  'What each contender does (every one a child process on 127.0.0.1, fresh temp dir; the client is undici in the bench process, keep-alive):',
  '- bare (embedded), the limit: node:http, PUT of the raw bytes streamed to a new temp file while hashing (SHA-256), fdatasync, rename into place, one row INSERTed into SQLite (better-sqlite3, WAL, synchronous=NORMAL, as assetd), answer. One request per upload.',
  `- tus: @tus/server ${installed('@tus/server')} + @tus/file-store ${installed('@tus/file-store')} on node:http (creation POST, then one PATCH with Upload-Offset: 0): two requests per upload, no hashing, no fsync, metadata in a JSON file per upload.`,
  '- assetd: `node dist/cli/main.js serve`, its defaults (embedded: SQLite + local disk); single = one multipart POST /v3/assets; direct = POST direct-uploads, PUT upload_url, POST complete (no checksum sent; assetd hashes on PUT and complete), timed end to end.',
  '- floor (a reference, not assetd): Fastify 5 + @fastify/multipart, their defaults, doing exactly bare\'s work for the same multipart POST /v3/assets as assetd single (no key, hooks, sniffing, events or logging). Between bare and floor is the framework\'s cost, between floor and assetd the cost of what assetd does per upload.',
  '- bare (PG + S3): node:http, the bytes streamed into one PutObject (AWS SDK v3, ContentLength) while hashing, then one row INSERTed into PostgreSQL (pg pool of 10). For the presigned 256 MiB row, bare is a PutObject streamed from the bench process straight to the RGW, as the presigned PUT goes.',
  'Figures are medians over rounds; MB = 10^6 bytes; uploads/s rows run a closed loop for BENCH_SECONDS per contender per round and give each round\'s p50/p99 latency and the server\'s CPU time per upload (every thread, user + system, from /proc: steadier than the rates when the machine is not quiet; medians over rounds); MB/s rows time from the first byte sent to the last answer. sync(1) runs between measurements, and RGW\'s garbage collection (radosgw-admin gc process --include-all) after each large PG + S3 one.',
];

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadStart = loadAverage();
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench: stopped after ${TIMEOUT_SECONDS} s (BENCH_TIMEOUT_SECONDS)\n`);
    process.exit(1);
  }, TIMEOUT_SECONDS * 1000);
  watchdog.unref();
  if (!existsSync(path.join(ASSETD_ROOT, 'dist', 'cli', 'main.js'))) throw new Error(`no ${ASSETD_ROOT}/dist/cli/main.js: run npm run build`);
  progress(`load average ${loadStart.join(' ')}; ${os.availableParallelism()} cores; assetd ${commitOf(ASSETD_ROOT)}`);

  const fleet = new Fleet();
  try {
    const assetdEnv: Record<string, string> = ASSETD_LOG_LEVEL ? { ASSETD_LOG_LEVEL: ASSETD_LOG_LEVEL } : {};
    const [bareDisk, tusServer, floorServer, assetd] = await Promise.all([
      startBenchServer(fleet, 'bare', 'bare-disk.ts'),
      startBenchServer(fleet, 'tus', 'tus.ts'),
      startBenchServer(fleet, 'floor', 'floor.ts'),
      startAssetd(fleet, ASSETD_ROOT, { env: assetdEnv, nodeArgs: ASSETD_NODE_ARGS }),
    ]);
    const embedded = {
      bare: bare('bare', bareDisk),
      tus: tus(tusServer),
      single: assetdSingle('assetd single', assetd),
      direct: assetdDirect('assetd direct', assetd),
    };
    const scenarios: Scenario[] = [
      {
        name: '16 KiB',
        payload: new Payload(16 * KiB),
        kind: 'rate',
        uploads: 0,
        // The floor is measured for small files only: there the framework's cost per request shows.
        contenders: { ...embedded, floor: assetdSingle('floor', floorServer) },
      },
      { name: '1 MiB', payload: new Payload(MiB), kind: 'throughput', uploads: 20, contenders: pick(embedded, 'bare', 'tus', 'single') },
      { name: '32 MiB', payload: new Payload(32 * MiB), kind: 'throughput', uploads: 3, contenders: embedded },
      { name: '256 MiB', payload: new Payload(BIG), kind: 'throughput', uploads: 1, contenders: pick(embedded, 'bare', 'tus', 'direct'), sampleRss: true },
    ];

    const scaleout = await scaleoutServices();
    if (typeof scaleout === 'string') {
      progress(`scale-out rows skipped: ${scaleout}`);
    } else {
      fleet.onClose(async () => collectGarbage()); // the last teardown: after the buckets are emptied
      const [assetdS3, bareS3] = await Promise.all([
        startAssetd(fleet, ASSETD_ROOT, {
          env: { ...assetdEnv, ...(await scaleoutEnv(fleet, scaleout)) },
          nodeArgs: ASSETD_NODE_ARGS,
        }),
        freshBucket(fleet, scaleout).then(async (bucket) =>
          startBenchServer(fleet, 'bare-s3', 'bare-s3.ts', {
            BENCH_S3_BUCKET: bucket,
            BENCH_S3_ENDPOINT: scaleout.s3Endpoint,
            BENCH_S3_ACCESS_KEY_ID: scaleout.s3AccessKeyId,
            BENCH_S3_SECRET_ACCESS_KEY: scaleout.s3SecretAccessKey,
            BENCH_DATABASE_URL: await freshDatabase(fleet, scaleout),
          }),
        ),
      ]);
      const s3: S3Client = s3Client(scaleout);
      fleet.onClose(async () => s3.destroy());
      const sdkBucket = await freshBucket(fleet, scaleout);
      const single = assetdSingle('assetd single (PG + S3)', assetdS3);
      const bareHop = bare('bare (PG + S3)', bareS3);
      scenarios.push(
        { name: 'PG + S3 16 KiB', payload: scenarios[0]!.payload, kind: 'rate', uploads: 0, contenders: { bare: bareHop, single } },
        { name: 'PG + S3 32 MiB', payload: scenarios[2]!.payload, kind: 'throughput', uploads: 3, contenders: { bare: bareHop, single }, settle: collectGarbage },
        {
          name: 'PG + S3 256 MiB',
          payload: scenarios[3]!.payload,
          kind: 'throughput',
          uploads: 1,
          contenders: { bare: sdkPut(s3, sdkBucket), direct: assetdDirect('assetd direct (PG + S3)', assetdS3) },
          sampleRss: true,
          settle: collectGarbage,
        },
      );
    }
    const selected = scenarios.filter((s) => s.name.includes(ONLY));
    if (selected.length === 0) throw new Error(`BENCH_ONLY="${ONLY}" matches no scenario (${scenarios.map((s) => s.name).join(', ')})`);

    // Warm-up: JIT, first statements, first files, connections; figures discarded.
    const warmup = new Payload(32 * MiB);
    for (const scenario of selected) {
      for (const contender of Object.values(scenario.contenders)) {
        if (scenario.kind === 'rate') await measureRate(contender, scenario.payload, { concurrency: CONCURRENCY, seconds: 1 });
        else await measureThroughput(contender, scenario.payload.size > warmup.size ? warmup : scenario.payload, { uploads: 1, sampleRss: false });
        scenario.settle?.();
      }
    }

    const samples = new Map<string, Map<string, Sample[]>>(selected.map((s) => [s.name, new Map()]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of selected) {
        const roles = Object.keys(scenario.contenders);
        const order = roles.map((_, i) => roles[(i + round) % roles.length]!);
        for (const role of order) {
          const contender = scenario.contenders[role]!;
          const sample =
            scenario.kind === 'rate'
              ? await measureRate(contender, scenario.payload, { concurrency: CONCURRENCY, seconds: SECONDS })
              : await measureThroughput(contender, scenario.payload, { uploads: scenario.uploads, sampleRss: Boolean(scenario.sampleRss) });
          scenario.settle?.();
          samples.get(scenario.name)!.set(role, [...(samples.get(scenario.name)!.get(role) ?? []), sample]);
          progress(`round ${round + 1}/${ROUNDS} ${scenario.name} ${contender.name}: ${describe(sample)}`);
        }
      }
    }

    const rows = rowSpecs.filter((spec) => samples.has(spec.scenario)).map((spec) => row(spec, samples.get(spec.scenario)!));
    const loadEnd = loadAverage();
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const out = [
      `assetd upload benchmark, ${new Date().toISOString()}: assetd ${commitOf(ASSETD_ROOT)}, Node ${process.version}, ${os.availableParallelism()} cores, ` +
        `${ROUNDS} rounds, load average ${loadStart.join(' ')} at start and ${loadEnd.join(' ')} at the end, ${wallSeconds.toFixed(0)} s` +
        (typeof scaleout === 'string' ? `; scale-out rows skipped: ${scaleout}` : ''),
      '',
      markdown(rows),
      '',
      ...LEGEND,
      JSON.stringify(
        compact({
          date: new Date().toISOString(),
          assetd: { root: ASSETD_ROOT, commit: commitOf(ASSETD_ROOT), node_args: ASSETD_NODE_ARGS, log_level: ASSETD_LOG_LEVEL ?? 'default' },
          node: process.version,
          cores: os.availableParallelism(),
          load_average: { start: loadStart, end: loadEnd },
          rounds: ROUNDS,
          seconds: SECONDS,
          concurrency: CONCURRENCY,
          scaleout: typeof scaleout === 'string' ? `skipped: ${scaleout}` : 'PostgreSQL + Ceph RGW on loopback',
          wall_seconds: wallSeconds,
          rows,
          samples,
        }),
      ),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await fleet.close();
  }
}

function pick<T, K extends string>(all: Readonly<Record<K, T>>, ...keys: K[]): Record<string, T> {
  return Object.fromEntries(keys.map((key) => [key, all[key]]));
}

function describe(sample: Sample): string {
  if ('perSecond' in sample) {
    const cpu = sample.serverCpuMs === null ? '' : `, server CPU ${sample.serverCpuMs.toFixed(2)} ms/upload`;
    return `${sample.perSecond.toFixed(0)}/s, p50 ${sample.p50Ms.toFixed(1)} ms, p99 ${sample.p99Ms.toFixed(1)} ms (${sample.uploads} uploads${cpu}; other load ${sample.otherCores.toFixed(2)} cores)`;
  }
  const rss = sample.rssPeakKiB === null ? '' : `, RSS peak ${(sample.rssPeakKiB / 1024).toFixed(0)} MB`;
  return `${sample.mbPerSecond.toFixed(1)} MB/s${rss} (other load ${sample.otherCores.toFixed(2)} cores)`;
}

function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** The commit of `root` (with -dirty for uncommitted changes), or its path when it is not a git checkout. */
function commitOf(root: string): string {
  const git = spawnSync('git', ['-C', root, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : root;
}

/** The scale-out services, or why their rows are skipped (BENCH_SCALEOUT=1 turns a reason into a failure). */
async function scaleoutServices(): Promise<Services | string> {
  if (SCALEOUT === '0') return 'BENCH_SCALEOUT=0';
  const services = servicesSettings();
  const reason = typeof services === 'string' ? services : await probe(services);
  if (reason === null) return services;
  if (SCALEOUT === '1') throw new Error(`BENCH_SCALEOUT=1 but ${reason}`);
  return reason;
}

async function scaleoutEnv(fleet: Fleet, services: Services): Promise<Record<string, string>> {
  return {
    ASSETD_DATABASE_URL: await freshDatabase(fleet, services),
    ASSETD_S3_BUCKET: await freshBucket(fleet, services),
    ASSETD_S3_ENDPOINT: services.s3Endpoint,
    ASSETD_S3_ACCESS_KEY_ID: services.s3AccessKeyId,
    ASSETD_S3_SECRET_ACCESS_KEY: services.s3SecretAccessKey,
    ASSETD_S3_FORCE_PATH_STYLE: 'true',
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

// `npm run bench:put`: the direct-upload presigned PUT path of assetd against a bare node:http → fs.createWriteStream
// baseline, the scenario behind the README's 2 GiB history (`npm run bench` is bench/run.ts, the side-by-side table).
// Owns the scenario and the report: starts both servers as child processes on free loopback ports with fresh temp
// dirs, warms them up, alternates baseline/assetd rounds, samples assetd's RSS, prints a table, PASS/FAIL against the
// issue's expectation, and one JSON line. Knobs: BENCH_BYTES (default 2 GiB), BENCH_ROUNDS (default 2),
// BENCH_BASELINE_FSYNC=1 (baseline fsyncs on close, as assetd does; diagnostic only). Exit 0 unless something broke.
import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mp4 } from '../test/support/media.js';
import {
  childEnv,
  cleanUpOnExit,
  cpuMeter,
  freePort,
  median,
  MiB,
  mibPerSecond,
  positiveIntEnv,
  procStatusKiB,
  putGenerated,
  requestJson,
  RssSampler,
  startChild,
  waitForHealthy,
  type Child,
  type CpuSplit,
} from './lib.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'bench-key-000000000000';
const WARMUP_BYTES = MiB;
const EXPECTED_RATIO = 0.9;
const EXPECTED_GROWTH_MB = 64;

const BYTES = positiveIntEnv('BENCH_BYTES', 2 * 1024 * MiB);
const ROUNDS = positiveIntEnv('BENCH_ROUNDS', 2);
const BASELINE_FSYNC = process.env.BENCH_BASELINE_FSYNC === '1';
const HEAD = mp4();

// Everything to undo, also from a signal handler or a crash that skips main()'s finally.
const children: Child[] = [];
const tempDirs: string[] = [];
cleanUpOnExit(children, tempDirs);

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

function expectStatus(what: string, response: { status: number; json: unknown }, status = 200): void {
  if (response.status !== status) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.json)}`);
}

const dataOf = <T>(json: unknown): T => (json as { data: T }).data;

interface Server {
  readonly child: Child;
  readonly baseUrl: string;
}

async function startAssetd(): Promise<Server> {
  const port = await freePort();
  const child = startChild(
    'assetd',
    ['--import', 'tsx', 'src/cli/main.ts', 'serve'],
    childEnv({
      ASSETD_HOST: '127.0.0.1',
      ASSETD_PORT: String(port),
      ASSETD_DATA_DIR: tempDir('assetd-bench-data-'),
      ASSETD_API_KEYS: `${API_KEY}=bench`,
      ASSETD_LOG_LEVEL: 'warn',
      ASSETD_DIRECT_UPLOAD_MAX_BYTES: String(Math.max(BYTES, WARMUP_BYTES)),
    }),
    ROOT,
  );
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(child, baseUrl);
  return { child, baseUrl };
}

async function startBaseline(dir: string): Promise<Server> {
  const port = await freePort();
  const child = startChild(
    'baseline',
    ['--import', 'tsx', 'bench/baseline-server.ts'],
    childEnv({ BENCH_BASELINE_PORT: String(port), BENCH_BASELINE_DIR: dir, BENCH_BASELINE_FSYNC: BASELINE_FSYNC ? '1' : '0' }),
    ROOT,
  );
  children.push(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealthy(child, baseUrl);
  return { child, baseUrl };
}

interface BaselineRound {
  readonly putSeconds: number;
  /** Last byte sent → response: the server finishing after the bytes (drain, fsync, rename, answer). */
  readonly tailSeconds: number;
  /** CPU seconds spent during the PUT: the server, this client, everything else on the machine. */
  readonly putCpu: CpuSplit;
  readonly rssBeforeKiB: number;
  readonly rssPeakKiB: number;
}

async function baselineRound(server: Server, dir: string, size: number, name: string): Promise<BaselineRound> {
  const rssBeforeKiB = procStatusKiB(server.child.pid, 'VmRSS');
  const sampler = new RssSampler(server.child.pid).start();
  let put;
  let rssPeakKiB = 0;
  const cpu = cpuMeter(server.child.pid);
  try {
    put = await putGenerated(`${server.baseUrl}/${name}`, { 'content-type': 'video/mp4' }, size, HEAD);
  } finally {
    rssPeakKiB = sampler.stop();
  }
  const putCpu = cpu();
  expectStatus('baseline PUT', put);
  const file = path.join(dir, name);
  const { size: written } = await fs.stat(file);
  if (written !== size) throw new Error(`baseline wrote ${written} bytes, expected ${size}`);
  await fs.rm(file, { force: true });
  return { putSeconds: put.seconds, tailSeconds: put.tailSeconds, putCpu, rssBeforeKiB, rssPeakKiB };
}

interface AssetdRound extends BaselineRound {
  readonly completeSeconds: number;
  readonly rssPeakPutKiB: number;
}

async function assetdRound(server: Server, size: number, name: string): Promise<AssetdRound> {
  const auth = { 'x-api-key': API_KEY };
  const initiated = await requestJson('POST', `${server.baseUrl}/v3/assets/direct-uploads`, auth, {
    filename: `${name}.mp4`,
    content_type: 'video/mp4',
    size_bytes: size,
  });
  expectStatus('initiate', initiated);
  const upload = dataOf<{ asset_id: string; upload_url: string; upload_headers: Record<string, string> }>(initiated.json);

  const rssBeforeKiB = procStatusKiB(server.child.pid, 'VmRSS');
  const sampler = new RssSampler(server.child.pid).start();
  let put;
  let rssPeakPutKiB;
  let completed;
  let completeSeconds;
  let rssPeakKiB = 0;
  let putCpu;
  const cpu = cpuMeter(server.child.pid);
  try {
    put = await putGenerated(upload.upload_url, upload.upload_headers, size, HEAD);
    putCpu = cpu();
    rssPeakPutKiB = sampler.peakKiB();
    expectStatus('assetd PUT', put);
    const started = process.hrtime.bigint();
    completed = await requestJson('POST', `${server.baseUrl}/v3/assets/${upload.asset_id}/complete`, auth, {});
    completeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    rssPeakKiB = sampler.stop();
  }
  expectStatus('complete', completed);
  const asset = dataOf<{ status: string; size_bytes: number; mime_type: string }>(completed.json);
  if (asset.status !== 'completed' || asset.size_bytes !== size || asset.mime_type !== 'video/mp4') {
    throw new Error(`complete answered ${JSON.stringify(asset)}`);
  }
  expectStatus('delete', await requestJson('DELETE', `${server.baseUrl}/v3/assets/${upload.asset_id}`, auth));
  return { putSeconds: put.seconds, tailSeconds: put.tailSeconds, putCpu, completeSeconds, rssBeforeKiB, rssPeakKiB, rssPeakPutKiB };
}

const medianCpu = (rounds: readonly BaselineRound[]): CpuSplit => ({
  server: median(rounds.map((r) => r.putCpu.server)),
  client: median(rounds.map((r) => r.putCpu.client)),
  other: median(rounds.map((r) => r.putCpu.other)),
});
const mb = (kib: number) => kib / 1024;
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const f3 = (n: number) => n.toFixed(3);
const cpuCell = (cpu: CpuSplit) => `${f1(cpu.server)}/${f1(cpu.client)}/${f1(cpu.other)}`;
const row = (cells: (string | number)[], widths: number[]) =>
  cells.map((cell, i) => (i < 2 ? String(cell).padEnd(widths[i]!) : String(cell).padStart(widths[i]!))).join('  ');

async function main(): Promise<void> {
  const baselineDir = tempDir('assetd-bench-baseline-');
  try {
    const [assetd, baseline] = await Promise.all([startAssetd(), startBaseline(baselineDir)]);

    // Warm-up: one small upload each (JIT, first SQLite statements, first file in each directory).
    await assetdRound(assetd, WARMUP_BYTES, 'warmup');
    await baselineRound(baseline, baselineDir, WARMUP_BYTES, 'warmup');

    const baselineRounds: BaselineRound[] = [];
    const assetdRounds: AssetdRound[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      baselineRounds.push(await baselineRound(baseline, baselineDir, BYTES, `round-${round}`));
      assetdRounds.push(await assetdRound(assetd, BYTES, `round-${round}`));
    }
    const hwmKiB = procStatusKiB(assetd.child.pid, 'VmHWM');
    const baselineHwmKiB = procStatusKiB(baseline.child.pid, 'VmHWM');

    const baselineMiBs = median(baselineRounds.map((r) => mibPerSecond(BYTES, r.putSeconds)));
    const assetdMiBs = median(assetdRounds.map((r) => mibPerSecond(BYTES, r.putSeconds)));
    const ratio = assetdMiBs / baselineMiBs;
    const completeSeconds = median(assetdRounds.map((r) => r.completeSeconds));
    const rssBeforeMb = mb(assetdRounds[0]!.rssBeforeKiB);
    const rssPeakMb = mb(Math.max(...assetdRounds.map((r) => r.rssPeakKiB)));
    const growthMb = rssPeakMb - rssBeforeMb;
    const baselinePeakMb = mb(Math.max(...baselineRounds.map((r) => r.rssPeakKiB)));

    const widths = [5, 8, 7, 6, 6, 14, 10, 14, 10, 8, 6];
    const lines = [
      `assetd direct-upload PUT benchmark: ${BYTES} bytes (${f2(BYTES / MiB / 1024)} GiB) per PUT, MP4 head + zeros in 1 MiB chunks,`,
      `${ROUNDS} round(s), alternating baseline/assetd; checksum_sha256 NOT sent (assetd still hashes on PUT and on complete).`,
      `baseline = bare node:http -> fs.createWriteStream in a child process (node --import tsx), ${BASELINE_FSYNC ? 'WITH fsync on close (BENCH_BASELINE_FSYNC=1)' : 'no fsync'}.`,
      `assetd   = node --import tsx src/cli/main.ts serve (child), local-disk storage; temp dirs under ${os.tmpdir()}. MB = 2^20 bytes.`,
      'tail s = from the last byte sent to the response (the server finishing: for assetd mostly the fsync before rename).',
      'CPU s srv/cli/oth = CPU seconds during the PUT of the server / this client / everything else (kernel writeback, other processes: a big "oth" means a busy machine and noisy figures).',
      '',
      row(['round', 'server', 'PUT s', 'MiB/s', 'tail s', 'CPU s srv/cli/oth', 'complete s', 'complete MiB/s', 'RSS before', 'RSS peak', 'growth'], widths),
    ];
    for (let i = 0; i < ROUNDS; i++) {
      const b = baselineRounds[i]!;
      const a = assetdRounds[i]!;
      lines.push(
        row([i + 1, 'baseline', f3(b.putSeconds), f1(mibPerSecond(BYTES, b.putSeconds)), f3(b.tailSeconds), cpuCell(b.putCpu), '-', '-', f1(mb(b.rssBeforeKiB)), f1(mb(b.rssPeakKiB)), f1(mb(b.rssPeakKiB - b.rssBeforeKiB))], widths),
        row([i + 1, 'assetd', f3(a.putSeconds), f1(mibPerSecond(BYTES, a.putSeconds)), f3(a.tailSeconds), cpuCell(a.putCpu), f3(a.completeSeconds), f1(mibPerSecond(BYTES, a.completeSeconds)), f1(mb(a.rssBeforeKiB)), f1(mb(a.rssPeakKiB)), f1(mb(a.rssPeakKiB - a.rssBeforeKiB))], widths),
      );
    }
    const ratioPass = ratio >= EXPECTED_RATIO;
    const rssPass = growthMb < EXPECTED_GROWTH_MB;
    lines.push(
      '',
      `median PUT: baseline ${f1(baselineMiBs)} MiB/s, assetd ${f1(assetdMiBs)} MiB/s, ratio assetd/baseline ${f3(ratio)}`,
      `median CPU during the PUT, server/client/other: baseline ${cpuCell(medianCpu(baselineRounds))} s, assetd ${cpuCell(medianCpu(assetdRounds))} s (${os.availableParallelism()} cores)`,
      `median complete(): ${f3(completeSeconds)} s (${f1(mibPerSecond(BYTES, completeSeconds))} MiB/s; re-reads and hashes the file)`,
      `assetd RSS: before PUT ${f1(rssBeforeMb)} MB, peak during PUT+complete ${f1(rssPeakMb)} MB (PUT alone ${f1(mb(Math.max(...assetdRounds.map((r) => r.rssPeakPutKiB))))} MB), growth ${f1(growthMb)} MB, VmHWM (lifetime) ${f1(mb(hwmKiB))} MB`,
      `baseline server RSS: peak during PUT ${f1(baselinePeakMb)} MB, VmHWM (lifetime) ${f1(mb(baselineHwmKiB))} MB`,
      '',
      `expectation (issue): the presigned PUT runs at >= ${EXPECTED_RATIO}x a bare node:http -> fs.createWriteStream server, and assetd's RSS grows < ${EXPECTED_GROWTH_MB} MB during a ${f2(BYTES / MiB / 1024)} GiB upload`,
      `  throughput ratio ${f3(ratio)} >= ${EXPECTED_RATIO}: ${ratioPass ? 'PASS' : 'FAIL'}`,
      `  RSS growth ${f1(growthMb)} MB < ${EXPECTED_GROWTH_MB} MB: ${rssPass ? 'PASS' : 'FAIL'}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
    const round2 = (n: number) => Math.round(n * 100) / 100;
    const roundCpu = (cpu: CpuSplit) => ({ server: round2(cpu.server), client: round2(cpu.client), other: round2(cpu.other) });
    process.stdout.write(
      `${JSON.stringify({
        bytes: BYTES,
        rounds: ROUNDS,
        checksum_sha256_sent: false,
        baseline_fsync: BASELINE_FSYNC,
        baseline_mib_s: round2(baselineMiBs),
        assetd_put_mib_s: round2(assetdMiBs),
        ratio: Math.round(ratio * 1000) / 1000,
        baseline_tail_s: Math.round(median(baselineRounds.map((r) => r.tailSeconds)) * 1000) / 1000,
        assetd_tail_s: Math.round(median(assetdRounds.map((r) => r.tailSeconds)) * 1000) / 1000,
        baseline_put_cpu_s: roundCpu(medianCpu(baselineRounds)),
        assetd_put_cpu_s: roundCpu(medianCpu(assetdRounds)),
        complete_seconds: Math.round(completeSeconds * 1000) / 1000,
        complete_mib_s: round2(mibPerSecond(BYTES, completeSeconds)),
        assetd_rss_before_mb: round2(rssBeforeMb),
        assetd_rss_peak_mb: round2(rssPeakMb),
        rss_growth_mb: round2(growthMb),
        hwm_mb: round2(mb(hwmKiB)),
        baseline_rss_peak_mb: round2(baselinePeakMb),
        baseline_put_mib_s_each: baselineRounds.map((r) => round2(mibPerSecond(BYTES, r.putSeconds))),
        assetd_put_mib_s_each: assetdRounds.map((r) => round2(mibPerSecond(BYTES, r.putSeconds))),
        pass: { ratio: ratioPass, rss_growth: rssPass },
      })}\n`,
    );
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
    await Promise.allSettled(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

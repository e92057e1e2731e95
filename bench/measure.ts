// How `npm run bench` measures one contender in one round: a closed loop of small uploads (uploads/s with p50/p99
// latency and the server's CPU per upload), or a few large uploads one after another (MB/s, MB = 10^6 bytes, over
// the time from the first byte sent to the server's answer; end to end for direct uploads) with the server's RSS
// sampled from /proc. What an upload stored is removed between timings; each measurement ends with sync(1).
import type { Contender } from './contenders.js';
import { closedLoop, cpuMeter, percentile, RssSampler, syncDisks } from './lib.js';
import type { Payload } from './payload.js';

export interface RateSample {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly uploads: number;
  /** CPU the server process spent per upload (null: no server process). */
  readonly serverCpuMs: number | null;
  /** CPU this process (the client) spent per upload. */
  readonly clientCpuMs: number;
  /** Cores busy with anything else meanwhile (kernel writeback, other processes): noise when high. */
  readonly otherCores: number;
}

export interface ThroughputSample {
  readonly mbPerSecond: number;
  readonly uploads: number;
  /** The server's VmRSS before the first upload and its peak during them (KiB), when sampled. */
  readonly rssBeforeKiB: number | null;
  readonly rssPeakKiB: number | null;
  /** Cores busy with anything but the server and the client meanwhile. */
  readonly otherCores: number;
}

export async function measureRate(
  contender: Contender,
  payload: Payload,
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<RateSample> {
  const cpu = cpuMeter(contender.pid ?? process.pid);
  const load = await closedLoop(() => contender.upload(payload), { concurrency, seconds, maxCount: 1_000_000 });
  const used = cpu();
  syncDisks();
  return {
    perSecond: load.count / load.seconds,
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    uploads: load.count,
    serverCpuMs: contender.pid === null ? null : (used.server * 1000) / load.count,
    clientCpuMs: (used.client * 1000) / load.count,
    otherCores: used.other / load.seconds,
  };
}

export async function measureThroughput(
  contender: Contender,
  payload: Payload,
  { uploads, sampleRss }: { uploads: number; sampleRss: boolean },
): Promise<ThroughputSample> {
  const sampler = sampleRss && contender.pid !== null ? new RssSampler(contender.pid, 20) : null;
  const rssBeforeKiB = sampler ? sampler.peakKiB() : null;
  const cpu = cpuMeter(contender.pid ?? process.pid);
  const started = performance.now();
  let seconds = 0;
  let rssPeakKiB = rssBeforeKiB;
  for (let i = 0; i < uploads; i++) {
    sampler?.start();
    const uploadStarted = performance.now();
    let remove;
    try {
      remove = await contender.upload(payload);
    } finally {
      seconds += (performance.now() - uploadStarted) / 1000;
      if (sampler) rssPeakKiB = Math.max(rssPeakKiB ?? 0, sampler.stop());
    }
    await remove();
  }
  const otherCores = cpu().other / ((performance.now() - started) / 1000);
  syncDisks();
  return { mbPerSecond: (payload.size * uploads) / 1e6 / seconds, uploads, rssBeforeKiB, rssPeakKiB, otherCores };
}

// Benchmark plumbing shared by bench/run.ts and bench/put.ts: free loopback ports, child processes (start, wait for
// /healthz, stop), small JSON requests, the streamed PUT client of bench/put.ts, /proc RSS and CPU sampling, a closed
// load loop, percentiles. Linux only (/proc), and loopback only: every request goes to 127.0.0.1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export const MiB = 1024 * 1024;
const CHUNK = MiB;
const TAIL_BYTES = 8 * 1024;

/** A free TCP port on 127.0.0.1: listen on 0, read the port, close. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  if (!port) throw new Error('could not find a free port');
  return port;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** The last few KiB the child wrote to stdout and stderr, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node <args>` in `cwd` with `env`, keeping a tail of its output for error messages: from pipes (always
 * drained), or, with `logFile`, from that file, where the child writes directly as it would to a journal.
 */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logFile?: string): Child {
  const fd = logFile === undefined ? undefined : openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd, env, stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd] });
  if (fd !== undefined) closeSync(fd);
  let tail = '';
  const keep = (data: Buffer) => {
    tail = (tail + data.toString()).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`\n[${name}: ${error.message}]\n`)));
  if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
  const pid = child.pid;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name,
    pid,
    process: child,
    tail: () => (logFile === undefined ? tail : fileTail(logFile) + tail),
    async stop(graceMs = 5000) {
      if (exited()) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        await gone;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function fileTail(file: string): string {
  try {
    const fd = openSync(file, 'r');
    try {
      const { size } = fstatSync(fd);
      const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      return buffer.toString();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

export interface JsonResponse {
  readonly status: number;
  readonly json: unknown;
}

function loopbackUrl(url: string): URL {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1') throw new Error(`refusing to send traffic off loopback: ${target.host}`);
  return target;
}

/** One request with an optional JSON body, no keep-alive; the answer parsed as JSON when it is JSON. */
export function requestJson(method: string, url: string, headers: Record<string, string> = {}, body?: unknown): Promise<JsonResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(loopbackUrl(url), {
      method,
      agent: false,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown = text;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: response.statusCode ?? 0, json });
      });
    });
    request.end(payload);
  });
}

/** Polls GET /healthz every 50 ms until it answers 200; fails when the child exits or `timeoutMs` passes. */
export async function waitForHealthy(child: Child, baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited before it was healthy (${child.process.exitCode ?? child.process.signalCode}):\n${child.tail()}`);
    }
    try {
      const { status } = await requestJson('GET', `${baseUrl}/healthz`);
      if (status === 200) return;
      last = `status ${status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${child.name} not healthy after ${timeoutMs} ms (${last}):\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PutTiming extends JsonResponse {
  /** From the first body byte handed to the socket to the end of the response. */
  readonly seconds: number;
  /** From the last body byte handed to the socket to the end of the response: what the server does after the bytes (fsync…). */
  readonly tailSeconds: number;
}

/**
 * PUTs `size` bytes, `head` then zeros, with an explicit Content-Length, on a fresh connection. The body is made on
 * the fly in 1 MiB chunks (one shared zero buffer, never the whole body) and written as fast as backpressure allows.
 */
export function putGenerated(url: string, headers: Record<string, string>, size: number, head: Buffer): Promise<PutTiming> {
  if (size < head.length) throw new RangeError(`size ${size} is smaller than the ${head.length}-byte head`);
  const first = Buffer.alloc(Math.min(CHUNK, size));
  head.copy(first);
  const zeros = Buffer.alloc(CHUNK);
  return new Promise((resolve, reject) => {
    const request = http.request(loopbackUrl(url), {
      method: 'PUT',
      agent: false,
      headers: { ...headers, 'content-length': String(size) },
    });
    const answered = new AbortController();
    let started = 0n;
    let ended = 0n;
    request.on('error', (error) => {
      // A refusal may reset the connection while we are still sending; the answer is what counts.
      if (!answered.signal.aborted) reject(error);
    });
    request.on('response', (response) => {
      answered.abort();
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const now = process.hrtime.bigint();
        const seconds = Number(now - started) / 1e9;
        const tailSeconds = ended ? Number(now - ended) / 1e9 : 0;
        const text = Buffer.concat(chunks).toString();
        let json: unknown = text;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: response.statusCode ?? 0, json, seconds, tailSeconds });
      });
    });
    const pump = async () => {
      started = process.hrtime.bigint();
      let sent = 0;
      while (sent < size && !answered.signal.aborted) {
        const chunk = sent === 0 ? first : zeros.subarray(0, Math.min(CHUNK, size - sent));
        sent += chunk.length;
        if (!request.write(chunk)) await once(request, 'drain', { signal: answered.signal });
      }
      if (!answered.signal.aborted) {
        request.end();
        ended = process.hrtime.bigint();
      }
    };
    pump().catch((error: unknown) => {
      if (!answered.signal.aborted) {
        request.destroy();
        reject(error);
      }
    });
  });
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), in KiB. */
export function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (USER_HZ = 100 on Linux). */
export function procCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm) ": state is [0], so utime (field 14) is [11] and stime (15) is [12].
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds every core of the machine has spent busy so far (user, nice, system, irq, softirq), from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0)) / 100;
}

export interface CpuSplit {
  /** CPU seconds of the server process. */
  readonly server: number;
  /** CPU seconds of this (client) process. */
  readonly client: number;
  /** Everything else busy on the machine meanwhile: kernel threads (writeback), other processes. */
  readonly other: number;
}

/** Starts counting; the returned function tells the CPU seconds spent since, split by who spent them. */
export function cpuMeter(serverPid: number): () => CpuSplit {
  const server0 = procCpuSeconds(serverPid);
  const client0 = process.cpuUsage();
  const busy0 = machineBusySeconds();
  return () => {
    const server = procCpuSeconds(serverPid) - server0;
    const usage = process.cpuUsage(client0);
    const client = (usage.user + usage.system) / 1e6;
    return { server, client, other: Math.max(0, machineBusySeconds() - busy0 - server - client) };
  };
}

/** Samples a process's VmRSS every `intervalMs` and keeps the peak. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  samples = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  /** The peak so far, in KiB (sampling goes on). */
  peakKiB(): number {
    this.sample();
    return this.peak;
  }

  /** Stops sampling; the peak in KiB. */
  stop(): number {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peak;
  }

  private sample(): void {
    try {
      this.peak = Math.max(this.peak, procStatusKiB(this.pid, 'VmRSS'));
      this.samples += 1;
    } catch {
      // the process is gone; the caller finds out from its own requests
    }
  }
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const mibPerSecond = (bytes: number, seconds: number): number => bytes / MiB / seconds;

/** The `p`-th percentile (0 < p ≤ 100) by nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

export interface LoadResult {
  /** Tasks finished. */
  readonly count: number;
  /** From the start to the end of the last task. */
  readonly seconds: number;
  /** Each task's duration, in milliseconds. */
  readonly latenciesMs: readonly number[];
}

/**
 * A closed loop: `concurrency` workers each run `task` again as soon as it ends, until `seconds` have passed or
 * `maxCount` tasks have started. The first failure stops every worker and is thrown.
 */
export async function closedLoop(
  task: () => Promise<unknown>,
  { concurrency, seconds, maxCount }: { concurrency: number; seconds: number; maxCount: number },
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let begun = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && begun < maxCount && performance.now() < deadline) {
      begun += 1;
      const t0 = performance.now();
      try {
        await task();
      } catch (error) {
        failed = true;
        throw error;
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { count: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [one ?? Number.NaN, five ?? Number.NaN, fifteen ?? Number.NaN];
}

/** sync(1): writes one server left in the page cache are not paid for by the next one measured. */
export function syncDisks(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/** A positive whole number from the environment (a bench knob), or `fallback` when unset. */
export function positiveIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** Env for a child server: this process's, without any ASSETD_* the caller's shell may carry, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ASSETD_')) env[key] = value;
  return { ...env, ...extra };
}

/**
 * Kills `children` and removes `dirs` (synchronously) when this process exits or is interrupted, so a crash or a ^C
 * leaves nothing behind. The lists are read at that moment: push to them as children and dirs are made.
 */
export function cleanUpOnExit(children: readonly Child[], dirs: readonly string[]): void {
  const now = () => {
    for (const child of children) child.process.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', now);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      now();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

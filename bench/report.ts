// The output of `npm run bench`: one Markdown table (each assetd figure beside its baselines from the same run, as
// ratios, against the goal), a legend of what each contender does, and one JSON line with every figure.
import { median } from './lib.js';
import type { RateSample, ThroughputSample } from './measure.js';

export type Sample = RateSample | ThroughputSample;

/** A table row: one assetd contender of one scenario against that scenario's bare (and tus) contender. */
export interface RowSpec {
  readonly work: string;
  readonly scenario: string;
  readonly assetd: string;
  readonly bare: string;
  readonly tus?: string;
  /** Held when assetd ≥ `bare` × the bare figure, ≥ the tus figure when `tus`, and its p99 < `p99Ms`. */
  readonly goal: { readonly bare: number; readonly tus?: boolean; readonly p99Ms?: number } | 'reference';
  /** Show assetd's peak RSS during these uploads. */
  readonly rss?: boolean;
}

interface Figures {
  readonly value: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  /** Server CPU (every thread, user + system) per upload: steadier than rates on a machine that is not quiet. */
  readonly cpuMs?: number;
  readonly rssBeforeMb?: number;
  readonly rssPeakMb?: number;
}

export interface Row {
  readonly work: string;
  readonly unit: 'uploads/s' | 'MB/s';
  readonly bare: Figures;
  readonly tus: Figures | null;
  readonly assetd: Figures;
  readonly ratioBare: number;
  readonly ratioTus: number | null;
  readonly goal: string;
  /** null on a reference row (not assetd: no goal). */
  readonly held: boolean | null;
}

const isRate = (sample: Sample): sample is RateSample => 'perSecond' in sample;

/** The medians over rounds of a contender's samples. */
export function figures(samples: readonly Sample[]): Figures {
  const first = samples[0];
  if (!first) throw new Error('no samples');
  const of = (pick: (s: Sample) => number | null | undefined) => median(samples.map(pick).filter((n): n is number => typeof n === 'number'));
  if (isRate(first)) {
    const rates = samples as readonly RateSample[];
    const cpu = rates.map((s) => s.serverCpuMs).filter((n): n is number => n !== null);
    return {
      value: median(rates.map((s) => s.perSecond)),
      p50Ms: median(rates.map((s) => s.p50Ms)),
      p99Ms: median(rates.map((s) => s.p99Ms)),
      ...(cpu.length ? { cpuMs: median(cpu) } : {}),
    };
  }
  const peaks = (samples as readonly ThroughputSample[]).map((s) => s.rssPeakKiB).filter((n): n is number => n !== null);
  return {
    value: of((s) => (s as ThroughputSample).mbPerSecond),
    ...(peaks.length ? { rssPeakMb: Math.max(...peaks) / 1024, rssBeforeMb: of((s) => (s as ThroughputSample).rssBeforeKiB) / 1024 } : {}),
  };
}

export function row(spec: RowSpec, samples: ReadonlyMap<string, readonly Sample[]>): Row {
  const get = (role: string) => figures(samples.get(role) ?? []);
  const bare = get(spec.bare);
  const tus = spec.tus ? get(spec.tus) : null;
  const assetd = get(spec.assetd);
  const ratioBare = assetd.value / bare.value;
  const ratioTus = tus ? assetd.value / tus.value : null;
  const { goal } = spec;
  if (goal === 'reference') {
    const unit = assetd.p99Ms === undefined ? 'MB/s' : 'uploads/s';
    return { work: spec.work, unit, bare, tus, assetd, ratioBare, ratioTus, goal: 'none: a reference', held: null };
  }
  const parts = [`≥ ${goal.bare}× bare`];
  let held = ratioBare >= goal.bare;
  if (goal.tus && ratioTus !== null) {
    parts.push('≥ tus');
    held &&= ratioTus >= 1;
  }
  if (goal.p99Ms !== undefined) {
    parts.push(`p99 < ${goal.p99Ms} ms`);
    held &&= (assetd.p99Ms ?? Infinity) < goal.p99Ms;
  }
  const unit = assetd.p99Ms === undefined ? 'MB/s' : 'uploads/s';
  return { work: spec.work, unit, bare, tus, assetd, ratioBare, ratioTus, goal: parts.join(', '), held };
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const value = (f: Figures, unit: Row['unit']) => (unit === 'uploads/s' ? `${thousands(f.value)}/s` : `${f.value.toFixed(0)} MB/s`);
const ratio = (n: number | null) => (n === null ? '–' : `${n.toFixed(2)}×`);
const latency = (f: Figures | null) => (f?.p50Ms === undefined ? '–' : `${f.p50Ms.toFixed(0)}/${f.p99Ms!.toFixed(0)}`);
const cpu = (f: Figures | null) => (f?.cpuMs === undefined ? '–' : f.cpuMs.toFixed(2));

export function markdown(rows: readonly Row[]): string {
  const lines = [
    '| work | bare | tus | assetd | ratio vs bare | ratio vs tus | p50/p99 ms; server CPU ms per upload (bare · tus · assetd) | goal | held? |',
    '|---|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const detail =
      r.assetd.rssPeakMb !== undefined
        ? `assetd peak RSS ${r.assetd.rssPeakMb.toFixed(0)} MB (${r.assetd.rssBeforeMb!.toFixed(0)} MB before)`
        : r.unit === 'uploads/s'
          ? `${latency(r.bare)} · ${latency(r.tus)} · ${latency(r.assetd)}; CPU ${cpu(r.bare)} · ${cpu(r.tus)} · ${cpu(r.assetd)}`
          : '–';
    lines.push(
      `| ${r.work} | ${value(r.bare, r.unit)} | ${r.tus ? value(r.tus, r.unit) : '–'} | ${value(r.assetd, r.unit)} | ${ratio(r.ratioBare)} | ${ratio(r.ratioTus)} | ${detail} | ${r.goal} | ${r.held === null ? '–' : r.held ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

/** Rounds a figure for the JSON line: 3 significant digits are more than the noise allows. */
export function compact(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(4)) : null;
  if (Array.isArray(value)) return value.map(compact);
  if (value instanceof Map) return compact(Object.fromEntries(value));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

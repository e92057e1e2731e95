// What the client verbs print: human tables and sizes, JSON for scripts, progress bars on a terminal (cli-progress)
// and one plain line per finished file when stderr is not one.
import cliProgress from 'cli-progress';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Columns padded to their widest cell; the last column is not padded (it may be a long URL). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Files this large get progress lines even without a terminal. */
const PLAIN_PROGRESS_ABOVE = 64 * 1024 * 1024;

function rateOf(bytes: number, since: number): string {
  const seconds = (Date.now() - since) / 1000;
  return seconds > 0.5 ? `${formatBytes(bytes / seconds)}/s` : '-';
}

/** One bar per file on a terminal (bytes, rate, ETA); elsewhere a line when each file is done (and each tenth of a large one). */
export interface ProgressDisplay {
  start(label: string, total: number): ProgressItem;
  /** A line above the bars (or plain, without them). */
  log(line: string): void;
  stop(): void;
}

export interface ProgressItem {
  update(bytes: number, phase: string): void;
  /** Finished: a full bar, or `line` where there are no bars. */
  done(line: string): void;
  /** Given up: the bar stays where it stopped (the reason is printed after the bars). */
  fail(): void;
}

export function progressDisplay(options: { quiet: boolean }): ProgressDisplay {
  const stream = process.stderr;
  if (options.quiet) return { start: () => ({ update() {}, done() {}, fail() {} }), log: () => {}, stop() {} };
  if (!stream.isTTY) {
    return {
      start: (label, total) => {
        // Plain lines: one per tenth of a large file, so a log shows a long upload moving.
        let shownTenth = 0;
        const started = Date.now();
        return {
          update(bytes, phase) {
            if (total < PLAIN_PROGRESS_ABOVE || phase === 'hashing') return;
            const tenth = Math.floor((bytes / total) * 10);
            if (tenth <= shownTenth || tenth >= 10) return;
            shownTenth = tenth;
            stream.write(`${label}: ${tenth * 10}% (${formatBytes(bytes)} of ${formatBytes(total)}, ${rateOf(bytes, started)})\n`);
          },
          done: (line) => void (line && stream.write(`${line}\n`)),
          fail() {},
        };
      },
      log: (line) => stream.write(`${line}\n`),
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{label} {bar} {percentage}% | {sent} of {size} | {rate} | ETA {eta_formatted} | {phase}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      formatValue: (value, _options, type) => (type === 'percentage' ? String(value).padStart(3) : String(value)),
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start(label, total) {
      const shown = label.length > 32 ? `…${label.slice(-31)}` : label.padEnd(32);
      const bar = bars.create(Math.max(total, 1), 0, { label: shown, sent: formatBytes(0), size: formatBytes(total), rate: '-', phase: 'waiting' });
      const started = Date.now();
      return {
        update: (bytes, phase) => bar.update(Math.min(bytes, total), { sent: formatBytes(bytes), rate: rateOf(bytes, started), phase }),
        done: () => bar.update(Math.max(total, 1), { sent: formatBytes(total), phase: 'done' }),
        fail: () => bar.update({ phase: 'failed' }),
      };
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}

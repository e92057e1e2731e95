// `assetd upload PATH…`: files, directories (with --recursive) and `-` (standard input, spooled to a temporary file
// first: every flow needs the size up front and direct upload its SHA-256). Files above 64 MiB go as resumable
// multipart uploads; `--resume` continues one from its state file, sending only the parts the server lacks. A few files go at once, each with a
// progress bar on a terminal; the result is a table (or one JSON line per asset with --json) and a summary. A file
// that fails is said on stderr and the rest go on: exit 1 if any failed, 2 for a usage problem.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { defaultStatePath, type UploadedAsset } from '../client/index.js';
import { clientFrom, describeFailure, UsageError, type ClientFlags } from './client-options.js';
import { formatBytes, printJson, progressDisplay, table } from './output.js';

export interface UploadCommandOptions extends ClientFlags {
  readonly recursive?: boolean;
  readonly filename?: string;
  readonly directAbove?: string;
  readonly multipartAbove?: string;
  readonly partSize?: string;
  readonly parallel?: string;
  readonly resume?: boolean;
  readonly state?: string;
  readonly concurrency?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

interface Source {
  /** As the user named it (a file, a file found in a directory, or `-`). */
  readonly label: string;
  readonly path: string;
  readonly filename?: string;
}

interface Outcome {
  readonly source: Source;
  readonly asset?: UploadedAsset;
  readonly error?: string;
}

function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${value}"`);
  return n;
}

/** Every regular file under `dir`, in name order. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await fs.stat(full).catch(() => null))?.isFile())) files.push(full);
  }
  return files.sort();
}

/** Standard input into a temporary file of its own; removed by the caller. */
async function spoolStdin(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'assetd-stdin-'));
  const file = path.join(dir, randomUUID());
  await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
  return file;
}

export async function uploadCommand(paths: readonly string[], options: UploadCommandOptions): Promise<number> {
  const directAbove = wholeNumber(options.directAbove, '--direct-above', 0);
  const concurrency = wholeNumber(options.concurrency, '--concurrency', 1) ?? 4;
  const multipartAbove = wholeNumber(options.multipartAbove, '--multipart-above', 0);
  const partSizeBytes = wholeNumber(options.partSize, '--part-size', 1);
  const parallelParts = wholeNumber(options.parallel, '--parallel', 1);
  if (options.state !== undefined && paths.length !== 1) throw new UsageError('--state names the resume state of one file');
  if (options.resume && paths.includes('-')) throw new UsageError('--resume continues an upload of a file, not of standard input');
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be named once');
  if (options.filename !== undefined && !paths.includes('-')) throw new UsageError('--filename names what comes from standard input (-)');
  const client = await clientFrom(options);

  const outcomes: Outcome[] = [];
  const sources: Source[] = [];
  let spooled: string | null = null;
  const fail = (source: Source, error: string) => {
    outcomes.push({ source, error });
    process.stderr.write(`assetd upload: ${source.label}: ${error}\n`);
  };
  try {
    for (const given of paths) {
      if (given === '-') {
        spooled = await spoolStdin();
        sources.push({ label: '-', path: spooled, filename: options.filename ?? 'stdin' });
        continue;
      }
      const stat = await fs.stat(given).catch((error: unknown) => describeFailure(error));
      if (typeof stat === 'string') fail({ label: given, path: given }, stat);
      else if (stat.isDirectory()) {
        if (!options.recursive) fail({ label: given, path: given }, 'is a directory (add --recursive to upload the files in it)');
        else for (const file of await filesUnder(given)) sources.push({ label: file, path: file });
      } else sources.push({ label: given, path: given });
    }

    const display = progressDisplay({ quiet: options.quiet ?? false });
    let next = 0;
    const worker = async () => {
      while (next < sources.length) {
        const source = sources[next++]!;
        const size = (await fs.stat(source.path).catch(() => null))?.size ?? 0;
        const item = display.start(source.label, size);
        try {
          let received = 0;
          let sent = 0;
          const asset = await client.upload(source.path, {
            directAbove,
            ...(multipartAbove !== undefined ? { multipartAbove } : {}),
            ...(partSizeBytes !== undefined ? { partSizeBytes } : {}),
            ...(parallelParts !== undefined ? { parallelParts } : {}),
            ...(options.state !== undefined ? { statePath: options.state } : {}),
            ...(options.resume ? { resume: true } : {}),
            ...(source.filename ? { filename: source.filename } : {}),
            onProgress: ({ phase, bytes }) => item.update(bytes, sent + received > 0 ? `parts: ${received + sent} done` : phase),
            onPart: ({ action }) => (action === 'sent' ? (sent += 1) : (received += 1)),
          });
          if (asset.flow === 'multipart' && options.resume) {
            display.log(`${source.label}: resumed: ${received} parts were already received, ${sent} sent now`);
          }
          outcomes.push({ source, asset });
          item.done(`uploaded ${source.label}: ${asset.asset_id} (${formatBytes(asset.size_bytes)}, ${asset.flow})`);
          if (options.json) printJson({ file: source.label, ...asset });
        } catch (error) {
          item.fail();
          // A multipart upload cut short keeps its state: say how to continue it.
          const statePath = options.state ?? defaultStatePath(source.path);
          const resumable = source.label !== '-' && (await fs.stat(statePath).catch(() => null)) !== null;
          const hint = resumable ? ` (continue it with: assetd upload --resume ${source.label}${options.state ? ` --state ${options.state}` : ''})` : '';
          outcomes.push({ source, error: `${describeFailure(error)}${hint}` });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker));
    display.stop();
    // After the bars, so they are not redrawn around it.
    for (const { source, error } of outcomes) if (error && sources.includes(source)) process.stderr.write(`assetd upload: ${source.label}: ${error}\n`);
  } finally {
    if (spooled) await fs.rm(path.dirname(spooled), { recursive: true, force: true });
  }

  const done = outcomes.filter((o) => o.asset);
  const failed = outcomes.length - done.length;
  const bytes = done.reduce((sum, o) => sum + o.asset!.size_bytes, 0);
  const summary = `${done.length} uploaded (${formatBytes(bytes)})${failed ? `, ${failed} failed` : ''}`;
  if (options.json) {
    if (!options.quiet) process.stderr.write(`${summary}\n`);
  } else {
    // In the order the files were named.
    const order = new Map(sources.map((s, i) => [s.label, i]));
    const rows = [...done]
      .sort((a, b) => order.get(a.source.label)! - order.get(b.source.label)!)
      .map(({ source, asset }) => [source.label, asset!.asset_id, asset!.mime_type, formatBytes(asset!.size_bytes), asset!.flow, asset!.url]);
    if (rows.length > 0) process.stdout.write(table(['FILE', 'ASSET ID', 'TYPE', 'SIZE', 'FLOW', 'URL'], rows));
    process.stdout.write(`${summary}\n`);
  }
  return failed > 0 ? 1 : 0;
}

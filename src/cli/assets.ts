// The verbs that read and remove assets: `ls`, `get`, `rm`, `download`. Each prints a table (or key: value lines)
// for people and JSON with --json; a refusal from the API is said on stderr and the exit code is 1.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Asset } from '../client/index.js';
import { mediaTypeOf } from '../media/types.js';
import { clientFrom, describeFailure, UsageError, type ClientFlags } from './client-options.js';
import { formatBytes, printJson, progressDisplay, table } from './output.js';

export interface ListOptions extends ClientFlags {
  readonly limit?: string;
  readonly token?: string;
  readonly all?: boolean;
  readonly json?: boolean;
}

const sizeOrLength = (asset: Asset): string =>
  [
    typeof asset.width === 'number' && typeof asset.height === 'number' ? `${asset.width}×${asset.height}` : '',
    typeof asset.duration_seconds === 'number' ? `${asset.duration_seconds.toFixed(1)} s` : '',
  ]
    .filter(Boolean)
    .join(' ');

export async function listCommand(options: ListOptions): Promise<number> {
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be a whole number from 1 to 100, got "${options.limit}"`);
  const client = await clientFrom(options);
  const assets: Asset[] = [];
  let token: string | null = options.token ?? null;
  let hasMore = false;
  do {
    const page = await client.list({ limit, token });
    assets.push(...page.data);
    token = page.next_token;
    hasMore = page.has_more;
  } while (options.all && hasMore && token);
  if (options.json) {
    printJson({ data: assets, has_more: hasMore, next_token: hasMore ? token : null });
    return 0;
  }
  const rows = assets.map((a) => [
    a.asset_id,
    String(a.filename ?? a.name ?? ''),
    a.mime_type,
    formatBytes(a.size_bytes),
    sizeOrLength(a),
    a.status,
    String(a.created_at ?? ''),
  ]);
  if (rows.length === 0) process.stdout.write('No assets.\n');
  else process.stdout.write(table(['ASSET ID', 'NAME', 'TYPE', 'SIZE', 'PICTURE/LENGTH', 'STATUS', 'CREATED'], rows));
  if (hasMore && token) process.stderr.write(`More: assetd ls --token ${token} (or --all)\n`);
  return 0;
}

export async function getCommand(assetId: string, options: ClientFlags & { json?: boolean }): Promise<number> {
  const client = await clientFrom(options);
  const asset = await client.get(assetId);
  if (options.json) printJson(asset);
  else {
    const fields = Object.entries(asset).filter(([, value]) => value !== null && value !== undefined);
    const width = Math.max(...fields.map(([key]) => key.length));
    process.stdout.write(fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${String(value)}`).join('\n') + '\n');
  }
  return 0;
}

export async function removeCommand(assetIds: readonly string[], options: ClientFlags & { json?: boolean }): Promise<number> {
  const client = await clientFrom(options);
  let failed = 0;
  for (const id of assetIds) {
    try {
      await client.delete(id);
      if (options.json) printJson({ id, deleted: true });
      else process.stdout.write(`deleted ${id}\n`);
    } catch (error) {
      failed += 1;
      process.stderr.write(`assetd rm: ${id}: ${describeFailure(error)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

export interface DownloadCommandOptions extends ClientFlags {
  readonly force?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The asset's own name, kept to its last path segment; else its id and the extension of its type. */
function defaultName(asset: Asset): string {
  const named = asset.filename ? path.basename(asset.filename) : '';
  if (named && named !== '.' && named !== '..') return named;
  const extension = mediaTypeOf(asset.mime_type)?.extension;
  return extension ? `${asset.asset_id}.${extension}` : asset.asset_id;
}

export async function downloadCommand(assetId: string, target: string | undefined, options: DownloadCommandOptions): Promise<number> {
  const client = await clientFrom(options);
  const asset = await client.get(assetId);
  const display = progressDisplay({ quiet: options.quiet ?? false });
  if (target === '-') {
    // The bytes go to stdout as they come; a mismatch found at the end still fails the command.
    const item = display.start(defaultName(asset), asset.size_bytes);
    try {
      await client.download(asset, process.stdout, { onProgress: ({ bytes }) => item.update(bytes, 'receiving') });
    } finally {
      display.stop();
    }
    return 0;
  }
  let file = target ?? defaultName(asset);
  if ((await fs.stat(file).catch(() => null))?.isDirectory()) file = path.join(file, defaultName(asset));
  const item = display.start(file, asset.size_bytes);
  try {
    await client.downloadFile(asset, file, { overwrite: options.force ?? false, onProgress: ({ bytes }) => item.update(bytes, 'receiving') });
    item.done('');
  } finally {
    display.stop();
  }
  if (options.json) printJson({ asset_id: asset.asset_id, path: path.resolve(file), size_bytes: asset.size_bytes, sha256: asset.sha256 });
  else process.stdout.write(`downloaded ${asset.asset_id} to ${file} (${formatBytes(asset.size_bytes)}, SHA-256 verified)\n`);
  return 0;
}

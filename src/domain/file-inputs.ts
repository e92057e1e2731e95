// One resolver for every endpoint that takes files: turns a file input ({type: asset_id | url | base64}) into a
// `completed` asset of the caller, or a 400 whose `param` is the JSON path of the input. A request's inputs resolve
// together, concurrently with a bound, and all or nothing: if one fails, the assets made for the others are removed.
import { Readable } from 'node:stream';
import { canonicalMime, describeSupported, mimesOfKinds, type MediaKind } from '../media/types.js';
import type { AssetService } from './assets.js';
import { decodeBase64Input } from './base64-input.js';
import { settleLimited } from './concurrency.js';
import { errors, isAppError } from './errors.js';
import { DownloadError, type Asset, type RemoteFiles } from './ports/index.js';

export type FileInput =
  | { readonly type: 'asset_id'; readonly asset_id: string }
  | { readonly type: 'url'; readonly url: string }
  | { readonly type: 'base64'; readonly media_type: string; readonly data: string };

export type FileInputFormat = FileInput['type'];

/** Checks that a raw JSON value is a well-formed file input (the schema only knows the field types). */
export function parseFileInput(raw: unknown, param: string): FileInput {
  const value = (raw ?? {}) as Record<string, unknown>;
  const need = (field: string): string => {
    const v = value[field];
    if (typeof v !== 'string' || v === '') throw errors.invalidParameter(`${param}.${field} is required.`, `${param}.${field}`);
    return v;
  };
  switch (value.type) {
    case 'asset_id':
      return { type: 'asset_id', asset_id: need('asset_id') };
    case 'url':
      return { type: 'url', url: need('url') };
    case 'base64':
      return { type: 'base64', media_type: need('media_type'), data: need('data') };
    default:
      throw errors.invalidParameter(`${param}.type must be "asset_id", "url" or "base64".`, `${param}.type`);
  }
}
export const ALL_FORMATS: readonly FileInputFormat[] = ['asset_id', 'url', 'base64'];

export interface InputRule {
  /** JSON path of the input in the request, e.g. `files[2]` or `video`. */
  readonly param: string;
  readonly kinds: readonly MediaKind[];
  readonly formats: readonly FileInputFormat[];
}

export interface ResolverOptions {
  readonly assets: AssetService;
  readonly fetcher: RemoteFiles;
  readonly maxBytes: number;
  readonly concurrency?: number;
}

const downloadFailed = (reason: string, param: string) => errors.downloadFailed(reason, `${param}.url`);

function filenameFromUrl(url: URL): string | undefined {
  const last = url.pathname.split('/').pop() ?? '';
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // Malformed percent-encoding: keep the name as it was written.
  }
  return name === '' ? undefined : name;
}

export class FileInputResolver {
  private readonly concurrency: number;

  constructor(private readonly options: ResolverOptions) {
    this.concurrency = options.concurrency ?? 4;
  }

  /** Resolves every input or none: on any failure the assets created here are deleted and the first error thrown. */
  async resolveAll(tenant: string, items: ReadonlyArray<{ input: FileInput; rule: InputRule }>): Promise<Asset[]> {
    const created: Asset[] = [];
    const settled = await settleLimited(items, this.concurrency, async ({ input, rule }) => {
      const { asset, isNew } = await this.resolveOne(tenant, input, rule);
      if (isNew) created.push(asset);
      return asset;
    });
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(created.map((a) => this.options.assets.delete(tenant, a.assetId)));
      throw (failed as PromiseRejectedResult).reason;
    }
    return settled.map((r) => (r as PromiseFulfilledResult<Asset>).value);
  }

  async resolve(tenant: string, input: FileInput, rule: InputRule): Promise<Asset> {
    return (await this.resolveOne(tenant, input, rule)).asset;
  }

  private async resolveOne(tenant: string, input: FileInput, rule: InputRule): Promise<{ asset: Asset; isNew: boolean }> {
    if (!rule.formats.includes(input.type)) {
      throw errors.invalidParameter(
        `${rule.param} must be given as ${rule.formats.map((f) => `"${f}"`).join(' or ')}.`,
        `${rule.param}.type`,
      );
    }
    const accept = mimesOfKinds(rule.kinds);
    switch (input.type) {
      case 'asset_id':
        return { asset: await this.byId(tenant, input.asset_id, accept, rule.param), isNew: false };
      case 'base64':
        return { asset: await this.fromBase64(tenant, input, accept, rule.param), isNew: true };
      case 'url':
        return { asset: await this.fromUrl(tenant, input.url, accept, rule.param), isNew: true };
    }
  }

  private async byId(tenant: string, assetId: string, accept: ReadonlySet<string>, param: string): Promise<Asset> {
    let asset: Asset;
    try {
      asset = await this.options.assets.get(tenant, assetId);
    } catch (error) {
      if (isAppError(error) && error.code === 'not_found') {
        throw errors.referenceNotFound(`Asset ${assetId} not found.`, `${param}.asset_id`);
      }
      throw error;
    }
    if (asset.status !== 'completed') {
      throw errors.invalidParameter(`Asset ${assetId} is ${asset.status}; only completed assets can be used.`, `${param}.asset_id`);
    }
    if (!accept.has(asset.mimeType)) {
      throw errors.unsupportedMediaType(
        `Asset ${assetId} is ${asset.mimeType}; ${param} takes ${describeSupported(accept)}.`,
        `${param}.asset_id`,
      );
    }
    return asset;
  }

  private async fromBase64(
    tenant: string,
    input: { media_type: string; data: string },
    accept: ReadonlySet<string>,
    param: string,
  ): Promise<Asset> {
    const declared = canonicalMime(input.media_type);
    if (!accept.has(declared)) {
      throw errors.unsupportedMediaType(`${param} takes ${describeSupported(accept)}, not ${input.media_type}.`, `${param}.media_type`);
    }
    const bytes = decodeBase64Input(input.data, declared, this.options.maxBytes, param);
    try {
      return await this.store(tenant, Readable.from([bytes]), undefined, new Set([declared]), `${param}.data`);
    } catch (error) {
      if (isAppError(error) && error.code === 'unsupported_media_type') {
        throw errors.mediaTypeMismatch(`The bytes are not ${declared}: ${error.message}`, `${param}.media_type`);
      }
      throw error;
    }
  }

  private async fromUrl(tenant: string, url: string, accept: ReadonlySet<string>, param: string): Promise<Asset> {
    let file;
    try {
      file = await this.options.fetcher.open(url);
    } catch (error) {
      if (error instanceof DownloadError) throw downloadFailed(error.reason, param);
      throw error;
    }
    try {
      return await this.store(tenant, file.body, filenameFromUrl(file.finalUrl), accept, `${param}.url`);
    } catch (error) {
      this.options.fetcher.discard(file);
      if (isAppError(error) && error.code === 'payload_too_large') {
        throw downloadFailed(`the file is larger than ${this.options.maxBytes} bytes`, param);
      }
      if (isAppError(error)) throw error;
      throw downloadFailed(this.options.fetcher.describeBodyFailure(error, file), param);
    }
  }

  private async store(tenant: string, body: Readable, filename: string | undefined, accept: ReadonlySet<string>, param: string) {
    const staged = await this.options.assets.stage({ tenant, filename, body, maxBytes: this.options.maxBytes, accept, param });
    return staged.commit();
  }
}

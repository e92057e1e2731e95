// Image previews: a smaller picture of an image asset, made once per width and format and kept in storage beside the
// asset (previews/…), so every later request is a read. The rules live here: which assets have one (completed
// images), how wide at most, how many pixels an input may declare (a decompression bomb is refused before it is
// decoded), how many are made at once. Resizing itself is the ImageResizer port's (sharp, in src/images).
import { Readable } from 'node:stream';
import type { AssetService } from './assets.js';
import { errors } from './errors.js';
import { previewKeyFor } from './ids.js';
import { mediaTypeOf } from '../media/types.js';
import { ImageRefused, type Asset, type ImageResizer, type ObjectStorage, type PreviewFormat } from './ports/index.js';

export const PREVIEW_FORMATS: readonly PreviewFormat[] = ['webp', 'jpeg', 'png'];
export const PREVIEW_MAX_WIDTH = 2048;
/** Widths are rounded up to a multiple of this, so one asset has at most 32 widths × 3 formats kept. */
export const PREVIEW_WIDTH_STEP = 64;
/** 64 megapixels (8192 × 8192): a 48 MP phone photo passes; decoding more could take gigabytes. */
export const PREVIEW_MAX_INPUT_PIXELS = 64 * 1024 * 1024;

const MIME_OF: Readonly<Record<PreviewFormat, string>> = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' };

export interface PreviewServiceOptions {
  readonly assets: AssetService;
  readonly storage: ObjectStorage;
  readonly resizer: ImageResizer;
  readonly maxInputPixels?: number;
  /** Previews made at once in this process (each decodes an image); more wait their turn. Default 2. */
  readonly concurrency?: number;
  /** A preview made but not kept (storage full or down): it is still served, and made again next time. */
  readonly onCacheError?: (error: unknown) => void;
}

export interface PreviewRequest {
  readonly width: number;
  readonly format: PreviewFormat;
}

/** What a preview request resolves to before any bytes are read: enough for validators and a 304. */
export interface PreviewTarget {
  readonly asset: Asset;
  readonly key: string;
  /** The width asked for, rounded up to the step (the picture is narrower when the image is). */
  readonly width: number;
  readonly format: PreviewFormat;
  readonly mimeType: string;
  /** Stable for the asset's bytes, width and format: the bytes behind a preview never change. */
  readonly etag: string;
}

export interface PreviewContent {
  readonly body: Readable;
  readonly sizeBytes: number;
}

export class PreviewService {
  private readonly maxInputPixels: number;
  private readonly concurrency: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Requests for a preview being made share its making. */
  private readonly making = new Map<string, Promise<Buffer>>();

  constructor(private readonly options: PreviewServiceOptions) {
    this.maxInputPixels = options.maxInputPixels ?? PREVIEW_MAX_INPUT_PIXELS;
    this.concurrency = options.concurrency ?? 2;
  }

  /** Checks the request against the asset: the caller's, completed, an image, not too many pixels. */
  async target(tenant: string, assetId: string, request: PreviewRequest): Promise<PreviewTarget> {
    const asset = await this.options.assets.get(tenant, assetId);
    if (asset.status !== 'completed') throw errors.conflict(`The asset is ${asset.status}: only a completed asset has a preview.`, 'asset_id');
    if (mediaTypeOf(asset.mimeType)?.kind !== 'image') {
      throw errors.unsupportedMediaType(`Previews are made of images (PNG, JPEG); this asset is ${asset.mimeType}.`, 'asset_id');
    }
    if (asset.width !== null && asset.height !== null && asset.width * asset.height > this.maxInputPixels) throw this.tooManyPixels();
    if (!Number.isSafeInteger(request.width) || request.width < 1 || request.width > PREVIEW_MAX_WIDTH) {
      throw errors.invalidParameter(`width must be a whole number from 1 to ${PREVIEW_MAX_WIDTH}.`, 'width');
    }
    const width = Math.ceil(request.width / PREVIEW_WIDTH_STEP) * PREVIEW_WIDTH_STEP;
    return {
      asset,
      key: previewKeyFor(asset.assetId, width, request.format),
      width,
      format: request.format,
      mimeType: MIME_OF[request.format],
      etag: `"${asset.sha256 ?? asset.assetId}-${width}.${request.format}"`,
    };
  }

  /** The preview's bytes: from storage when made before, else made now (and kept for next time). */
  async open(target: PreviewTarget): Promise<PreviewContent> {
    const { storage } = this.options;
    const kept = await storage.stat(target.key);
    const stream = kept ? await storage.read({ key: target.key }) : null;
    if (kept && stream) return { body: stream, sizeBytes: kept.sizeBytes };
    let making = this.making.get(target.key);
    if (!making) {
      making = this.make(target).finally(() => this.making.delete(target.key));
      this.making.set(target.key, making);
    }
    const bytes = await making;
    return { body: Readable.from([bytes]), sizeBytes: bytes.length };
  }

  private async make(target: PreviewTarget): Promise<Buffer> {
    await this.turn();
    try {
      const input = await this.options.assets.openContent(target.asset);
      let resized;
      try {
        resized = await this.options.resizer.resize({ input, width: target.width, format: target.format, maxInputPixels: this.maxInputPixels });
      } catch (error) {
        input.destroy();
        if (!(error instanceof ImageRefused)) throw error;
        if (error.reason === 'too_many_pixels') throw this.tooManyPixels();
        throw errors.invalidParameter('The image could not be decoded; it has no preview.', 'asset_id');
      }
      try {
        await this.options.storage.write({ key: target.key, body: Readable.from([resized.bytes]), contentType: target.mimeType });
      } catch (error) {
        this.options.onCacheError?.(error);
      }
      return resized.bytes;
    } finally {
      this.release();
    }
  }

  private tooManyPixels() {
    return errors.invalidParameter(
      `The image has more than ${this.maxInputPixels} pixels (width × height); it has no preview.`,
      'asset_id',
    );
  }

  private async turn(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running += 1;
      return;
    }
    // The slot is handed over by release(), so running stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

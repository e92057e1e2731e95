// The ImageResizer port: turning an image's bytes into a smaller picture for a preview. The sharp adapter
// (src/images) implements it; the domain decides which images, how wide at most and where the result is kept.
import type { Readable } from 'node:stream';

export type PreviewFormat = 'webp' | 'jpeg' | 'png';

export interface ResizeOptions {
  readonly input: Readable;
  /** The widest the result may be; a narrower image is never enlarged. */
  readonly width: number;
  readonly format: PreviewFormat;
  /** Width × height the input may declare; a larger one is refused before it is decoded. */
  readonly maxInputPixels: number;
}

export interface ResizedImage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Why an image could not be resized: it declares too many pixels, or its bytes do not decode. */
export class ImageRefused extends Error {
  constructor(
    readonly reason: 'too_many_pixels' | 'undecodable',
    message: string,
  ) {
    super(message);
    this.name = 'ImageRefused';
  }
}

export interface ImageResizer {
  /** Resolves with the resized picture; rejects with ImageRefused for an input it will not or cannot decode. */
  resize(options: ResizeOptions): Promise<ResizedImage>;
}

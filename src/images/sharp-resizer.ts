// The ImageResizer port on sharp (libvips, shipped prebuilt inside its npm packages). The input streams in; libvips
// reads the header first, so an image declaring more pixels than allowed is refused before any pixel is decoded.
import sharp from 'sharp';
import { ImageRefused, type ImageResizer, type ResizedImage, type ResizeOptions } from '../domain/ports/index.js';

/** sharp's words for an input over limitInputPixels. */
const PIXEL_LIMIT = /pixel limit/i;

export class SharpResizer implements ImageResizer {
  async resize({ input, width, format, maxInputPixels }: ResizeOptions): Promise<ResizedImage> {
    // failOn 'error': a truncated or damaged file is refused rather than previewed half grey.
    const pipeline = sharp({ limitInputPixels: maxInputPixels, failOn: 'error', sequentialRead: true })
      .rotate() // upright, as the EXIF orientation says
      .resize({ width, withoutEnlargement: true });
    if (format === 'jpeg') pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 80, mozjpeg: true });
    else if (format === 'webp') pipeline.webp({ quality: 80 });
    else pipeline.png({ compressionLevel: 9 });

    let inputFailed = false;
    const failed = new Promise<never>((_, reject) =>
      input.once('error', (error) => {
        inputFailed = true;
        reject(error);
      }),
    );
    const made = pipeline.toBuffer({ resolveWithObject: true });
    // Whichever loses the race below must not surface as an unhandled rejection.
    failed.catch(() => {});
    made.catch(() => {});
    input.pipe(pipeline);
    try {
      const { data, info } = await Promise.race([made, failed]);
      return { bytes: data, width: info.width, height: info.height };
    } catch (error) {
      input.unpipe(pipeline);
      pipeline.destroy();
      // The storage's failure is not the image's fault: pass it on as it is.
      if (inputFailed) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new ImageRefused(PIXEL_LIMIT.test(message) ? 'too_many_pixels' : 'undecodable', message);
    }
  }
}

// GET /v3/assets/{asset_id}/preview: how wide and in which format.
import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { PREVIEW_FORMATS, PREVIEW_MAX_WIDTH } from '../../domain/previews.js';
import { Defaulted, StringEnum } from './helpers.js';

export const PreviewQuery = Type.Object({
  width: Defaulted(
    Type.Integer({
      minimum: 1,
      maximum: PREVIEW_MAX_WIDTH,
      description: 'The widest the preview may be, in pixels; rounded up to a multiple of 64, never wider than the image.',
    }),
    256,
  ),
  format: Defaulted(StringEnum(PREVIEW_FORMATS), 'webp'),
});

/** The picture, streamed (its type is the format asked for). */
export const PreviewBytes = Type.Unsafe<Readable>({ type: 'string', format: 'binary', description: 'The preview, as image/webp, image/jpeg or image/png.' });

/** A 304 has no body. */
export const NotModified = Type.Unsafe<undefined>({ type: 'null', description: 'Not modified: the If-None-Match ETag still holds.' });

// Inline base64 file inputs: strict alphabet and padding, size known before decoding, one decode.
import { errors } from './errors.js';

// One character class and no groups: linear on a 43 MB string (a grouped pattern overflows the regex stack).
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:([^;,]+);base64,/;

export function decodedLength(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return (data.length / 4) * 3 - padding;
}

/**
 * Decodes `data` (optionally a `data:<type>;base64,` URL whose type must be `mediaType`) to bytes, refusing anything
 * that is not canonical base64 or that would decode to more than `maxBytes`.
 */
export function decodeBase64Input(data: string, mediaType: string, maxBytes: number, param: string): Buffer {
  let payload = data;
  const dataUrl = DATA_URL.exec(data);
  if (dataUrl) {
    if (dataUrl[1]!.toLowerCase() !== mediaType.toLowerCase()) {
      throw errors.invalidParameter('The data URL type differs from media_type.', `${param}.data`);
    }
    payload = data.slice(dataUrl[0].length);
  }
  if (payload.length === 0) throw errors.invalidParameter('data is empty.', `${param}.data`);
  if (payload.length % 4 !== 0 || !STRICT.test(payload)) {
    throw errors.invalidParameter('data is not valid base64 (standard alphabet, with = padding, no whitespace).', `${param}.data`);
  }
  if (decodedLength(payload) > maxBytes) throw errors.payloadTooLarge(maxBytes, `${param}.data`);
  return Buffer.from(payload, 'base64');
}

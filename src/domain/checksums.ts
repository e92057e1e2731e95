// SHA-256 checksums as the API takes them (hex, or base64 as S3 headers and the platform's CLI write them) and as
// S3 headers carry them (base64).
import { errors } from './errors.js';

/** The header a signed checksum travels in, on S3 and on assetd's own upload endpoint alike. */
export const CHECKSUM_HEADER = 'x-amz-checksum-sha256';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
/** 32 bytes in padded base64: 43 characters, the last of which carries only 4 bits (A, E, I, … w), then `=`. */
const SHA256_BASE64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** A checksum field of a request as lowercase hex; null when absent (undefined or null). */
export function parseChecksum(value: string | null | undefined, param: string): string | null {
  if (value === undefined || value === null) return null;
  if (SHA256_HEX.test(value)) return value.toLowerCase();
  if (SHA256_BASE64.test(value)) return Buffer.from(value, 'base64').toString('hex');
  throw errors.invalidParameter(`${param} must be a SHA-256: 64 hexadecimal characters, or 44 characters of base64.`, param);
}

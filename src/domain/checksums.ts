// SHA-256 checksums as the API takes them (hex) and as S3 headers carry them (base64).
import { errors } from './errors.js';

/** The header a signed checksum travels in, on S3 and on assetd's own upload endpoint alike. */
export const CHECKSUM_HEADER = 'x-amz-checksum-sha256';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** A checksum field of a request: lowercase hex, or null when absent. */
export function parseChecksum(value: string | undefined, param: string): string | null {
  if (value === undefined) return null;
  if (!SHA256_HEX.test(value)) throw errors.invalidParameter(`${param} must be 64 hexadecimal characters.`, param);
  return value.toLowerCase();
}

import { describe, expect, it } from 'vitest';
import { UploadSigner, type PartGrant, type UploadGrant } from './upload-signature.js';

describe('UploadSigner', () => {
  const signer = new UploadSigner('s'.repeat(32));
  const grant: UploadGrant = { assetId: 'asset_1', sizeBytes: 42, contentType: 'video/mp4', sha256: 'ab'.repeat(32), expires: 2000 };
  const query = signer.sign(grant);

  it('verifies its own signature before expiry', () => {
    expect(signer.verify('asset_1', query, 1999)).toEqual(grant);
  });

  it('refuses after expiry', () => {
    expect(signer.verify('asset_1', query, 2000)).toBe('expired');
  });

  it.each([
    ['another asset', 'asset_2', {}],
    ['another size', 'asset_1', { size: '43' }],
    ['another type', 'asset_1', { type: 'video/webm' }],
    ['no checksum', 'asset_1', { sha256: '' }],
    ['a later expiry', 'asset_1', { expires: '3000' }],
    ['a tampered signature', 'asset_1', { signature: `${query.signature.slice(0, -2)}AA` }],
    // The last base64url character carries 2 spare bits: a decoder would not see this change.
    ['a tampered last character', 'asset_1', { signature: `${query.signature.slice(0, -1)}${query.signature.endsWith('A') ? 'B' : 'A'}` }],
  ])('refuses %s', (_name, assetId, change) => {
    expect(signer.verify(assetId, { ...query, ...change }, 1000)).toBe('bad_signature');
  });

  it('refuses a signature made with another secret', () => {
    const other = new UploadSigner('t'.repeat(32)).sign(grant);
    expect(signer.verify('asset_1', other, 1000)).toBe('bad_signature');
  });

  it('calls a query with missing or non-numeric fields malformed', () => {
    expect(signer.verify('asset_1', { ...query, signature: undefined }, 1000)).toBe('malformed');
    expect(signer.verify('asset_1', { ...query, size: '1e3' }, 1000)).toBe('malformed');
  });

  it('takes numbers in one spelling only: leading zeros are malformed, though they name the signed values', () => {
    expect(signer.verify('asset_1', { ...query, size: '042' }, 1000)).toBe('malformed');
    expect(signer.verify('asset_1', { ...query, expires: '02000' }, 1000)).toBe('malformed');
  });
});

describe('UploadSigner: multipart parts', () => {
  const signer = new UploadSigner('s'.repeat(32));
  const grant: PartGrant = { assetId: 'asset_1', partNumber: 3, sizeBytes: 5 * 1024 * 1024, sha256: 'cd'.repeat(32), expires: 2000 };
  const query = signer.signPart(grant);

  it('verifies a part URL for its asset and part number until it expires', () => {
    expect(signer.verifyPart('asset_1', 3, query, 1999)).toEqual(grant);
    expect(signer.verifyPart('asset_1', 3, query, 2000)).toBe('expired');
  });

  it.each([
    ['another part number', 'asset_1', 4, {}],
    ['another asset', 'asset_2', 3, {}],
    ['another size', 'asset_1', 3, { size: '5242881' }],
    ['no checksum', 'asset_1', 3, { sha256: '' }],
    ['a later expiry', 'asset_1', 3, { expires: '3000' }],
  ])('refuses %s', (_name, assetId, partNumber, change) => {
    expect(signer.verifyPart(assetId, partNumber, { ...query, ...change }, 1000)).toBe('bad_signature');
  });

  it('never takes a part signature for a whole upload’s, nor the other way round', () => {
    const whole = signer.sign({ assetId: 'asset_1', sizeBytes: grant.sizeBytes, contentType: 'video/mp4', sha256: grant.sha256, expires: 2000 });
    expect(signer.verifyPart('asset_1', 3, whole, 1000)).toBe('bad_signature');
    expect(signer.verify('asset_1', { ...query, type: 'video/mp4' }, 1000)).toBe('bad_signature');
  });

  it('calls a query without its fields malformed', () => {
    expect(signer.verifyPart('asset_1', 3, { ...query, size: '007' }, 1000)).toBe('malformed');
    expect(signer.verifyPart('asset_1', 3, { signature: query.signature }, 1000)).toBe('malformed');
  });
});

import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { DEFAULT_PART_BYTES, MAX_PARTS, MIN_PART_BYTES, partLength, planParts } from './multipart-plan.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('planParts', () => {
  it('uses 64 MiB parts by default, the last part holding the rest', () => {
    const plan = planParts(200 * MiB + 5);
    expect(plan).toEqual({ sizeBytes: 200 * MiB + 5, partSizeBytes: DEFAULT_PART_BYTES, partCount: 4 });
    expect([1, 2, 3, 4].map((n) => partLength(plan, n))).toEqual([64 * MiB, 64 * MiB, 64 * MiB, 8 * MiB + 5]);
  });

  it('cuts a file smaller than one part into one part', () => {
    expect(planParts(10)).toMatchObject({ partCount: 1 });
    expect(partLength(planParts(10), 1)).toBe(10);
  });

  it('raises the part size in whole MiB so that no file needs more than 10,000 parts', () => {
    const huge = planParts(5 * 1024 * GiB);
    expect(huge.partCount).toBeLessThanOrEqual(MAX_PARTS);
    expect(huge.partSizeBytes % MiB).toBe(0);
    expect(planParts(50 * GiB)).toMatchObject({ partSizeBytes: 64 * MiB, partCount: 800 });
  });

  it('takes a part size within S3’s limits, and refuses one that would need too many parts', () => {
    expect(planParts(11 * MiB, MIN_PART_BYTES)).toMatchObject({ partCount: 3 });
    expect(() => planParts(11 * MiB, MIN_PART_BYTES - 1)).toThrow(AppError);
    expect(() => planParts(60 * GiB, MIN_PART_BYTES)).toThrow(/at most 10000/);
  });

  it('refuses a part number out of range with its own code', () => {
    const plan = planParts(11 * MiB, MIN_PART_BYTES);
    for (const n of [0, 4, 1.5]) expect(() => partLength(plan, n)).toThrow(expect.objectContaining({ code: 'part_number_out_of_range' }));
  });
});

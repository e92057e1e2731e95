// `npm run bench:facts`: what reading picture size and length costs the upload inspector. Streams the same size of
// each type through an UploadInspector, alternating in one run with the baseline, a PNG head followed by zeros (its
// facts come from the first bytes, so it measures hashing and sniffing alone), and reports the median of each
// against it. Knobs: BENCH_FACTS_BYTES (default 32 MiB, the single-request limit), BENCH_ROUNDS (default 7).
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadInspector } from '../src/domain/inspect.js';
import { SINGLE_UPLOAD_MIMES } from '../src/media/types.js';
import * as media from '../test/support/media.js';
import { median, MiB } from './lib.js';

const size = Number(process.env.BENCH_FACTS_BYTES ?? 32 * MiB);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);

// Whole files built up front, so every run streams slices of one buffer and the source costs the same.
const files: Record<string, Buffer> = {
  'baseline: png head + zeros': media.padTo(media.png(), size),
  'mp3 (frames to the end)': media.mp3({ frames: Math.floor(size / 418), id3: true }),
  'webm head + zeros': media.padTo(media.webm({ durationSeconds: 3, video: { width: 2, height: 2 } }), size),
  'mp4, moov after the media': media.mp4({ video: { width: 2, height: 2 }, durationSeconds: 3, moovLast: true, mdatBytes: size - 4096 }),
};

async function inspect(file: Buffer): Promise<number> {
  const started = process.hrtime.bigint();
  const inspector = new UploadInspector({ maxBytes: file.length, accept: SINGLE_UPLOAD_MIMES, param: 'file' });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  await pipeline(media.sizedStream(file, file.length), inspector, sink);
  if (!inspector.result().facts.width && !inspector.result().facts.durationSeconds) throw new Error('no facts found');
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const times = new Map<string, number[]>();
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, file] of Object.entries(files)) {
    const ms = await inspect(file);
    if (round > 0) times.set(name, [...(times.get(name) ?? []), ms]); // round 0 warms up
  }
}
const baseline = median(times.get('baseline: png head + zeros')!);
console.log(`upload inspector, ${(size / MiB).toFixed(0)} MiB per file, median of ${rounds} rounds`);
for (const [name, values] of times) {
  const ms = median(values);
  console.log(`${name.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / baseline).toFixed(2)}x baseline`);
}

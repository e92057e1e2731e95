// What the first bytes of a file say about it beyond its type: pixel size of PNG and JPEG images, and the length
// of PCM WAV audio. Read from the head the inspector already holds, so it costs no extra I/O. Formats whose facts
// sit further in (MP4's moov, MP3's frames, WebM's tracks) are read by the probes of facts-probe.ts; a file that
// does not tell reports nothing rather than a guess.

export interface MediaFacts {
  readonly width: number | null;
  readonly height: number | null;
  readonly durationSeconds: number | null;
}

/** Seconds to the millisecond, as every length is recorded. */
export const roundMs = (seconds: number): number => Math.round(seconds * 1000) / 1000;

export const NO_FACTS: MediaFacts = { width: null, height: null, durationSeconds: null };

function png(head: Buffer): MediaFacts {
  // Signature (8), IHDR length (4) and type (4), then width and height.
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return NO_FACTS;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20), durationSeconds: null };
}

// Start-of-frame markers: C0-CF except DHT (C4), JPG (C8) and DAC (CC).
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(head: Buffer): MediaFacts {
  let offset = 2;
  while (offset + 9 <= head.length) {
    if (head[offset] !== 0xff) return NO_FACTS;
    const marker = head[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (SOF.has(marker)) {
      return { width: head.readUInt16BE(offset + 7), height: head.readUInt16BE(offset + 5), durationSeconds: null };
    }
    if (marker === 0xda || marker === 0xd9) return NO_FACTS; // scan data or end: no frame header before it
    offset += 2 + head.readUInt16BE(offset + 2);
  }
  return NO_FACTS;
}

function wav(head: Buffer, sizeBytes: number): MediaFacts {
  let byteRate = 0;
  for (let offset = 12; offset + 8 <= head.length; ) {
    const id = head.toString('latin1', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 16 <= head.length) byteRate = head.readUInt32LE(offset + 16);
    if (id === 'data') {
      if (byteRate === 0) return NO_FACTS;
      // Streamed writers leave the size 0 or 0xFFFFFFFF: the rest of the file is the data then.
      const dataBytes = size === 0 || size === 0xffffffff ? sizeBytes - offset - 8 : Math.min(size, sizeBytes - offset - 8);
      return { width: null, height: null, durationSeconds: roundMs(dataBytes / byteRate) };
    }
    offset += 8 + size + (size % 2);
  }
  return NO_FACTS;
}

/** Facts about a file of type `mime` from its first bytes and its total size. */
export function mediaFacts(mime: string, head: Buffer, sizeBytes: number): MediaFacts {
  switch (mime) {
    case 'image/png':
      return png(head);
    case 'image/jpeg':
      return jpeg(head);
    case 'audio/wav':
      return wav(head, sizeBytes);
    default:
      return NO_FACTS;
  }
}

/** The largest picture side a record keeps: the columns are 32-bit signed integers. */
const MAX_SIDE = 2 ** 31 - 1;

/**
 * Facts as a record may keep them: whole sides from 1 to 2^31 - 1 and a finite, positive length, else nothing.
 * A crafted header can claim anything, and a value the database refuses must not fail an upload.
 */
export function plausibleFacts(facts: MediaFacts): MediaFacts {
  const side = (n: number | null) => (n !== null && Number.isInteger(n) && n >= 1 && n <= MAX_SIDE ? n : null);
  const { durationSeconds: seconds } = facts;
  return {
    width: side(facts.width),
    height: side(facts.height),
    durationSeconds: seconds !== null && Number.isFinite(seconds) && seconds > 0 ? seconds : null,
  };
}

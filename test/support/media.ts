// Tiny but structurally valid media files built in memory, for upload tests that
// sniff content with `file-type`. No fixture files, no external tools.
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3), as used by PNG chunks and zip entries. */
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const u16be = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32be = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const ascii = (s: string) => Buffer.from(s, 'latin1');

/** PNG: signature, IHDR (8-bit RGB), one zlib IDAT of filter-0 scanlines, IEND; chunk CRCs included. */
export function png(opts: { width?: number; height?: number } = {}): Buffer {
  const { width = 2, height = 2 } = opts;
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([ascii(type), data]);
    return Buffer.concat([u32be(data.length), body, u32be(crc32(body))]);
  };
  const ihdr = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  const row = Buffer.alloc(1 + width * 3, 0x80); // filter byte 0, then mid-grey pixels
  row[0] = 0;
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A decompression bomb: a PNG whose IHDR declares `width` × `height` pixels but whose IDAT holds a few hundred bytes
 * (what would inflate to gigabytes in a real one). Sniffed as PNG, with that picture size.
 */
export function pngBomb(width: number, height: number): Buffer {
  const valid = png();
  const ihdrData = valid.subarray(16, 29);
  const header = Buffer.concat([ascii('IHDR'), u32be(width), u32be(height), ihdrData.subarray(8)]);
  return Buffer.concat([valid.subarray(0, 12), header, u32be(crc32(header)), valid.subarray(33)]);
}

/** Baseline JPEG, 1x1 greyscale: SOI, APP0 JFIF, DQT, SOF0, DHT (DC+AC), SOS, one-byte scan, EOI. */
export function jpeg(): Buffer {
  const seg = (marker: number, payload: number[]) =>
    Buffer.concat([Buffer.from([0xff, marker]), u16be(payload.length + 2), Buffer.from(payload)]);
  // One-code Huffman table: a single 1-bit code '0' for symbol 0x00.
  const oneCodeTable = (classAndId: number) => [classAndId, 1, ...new Array<number>(15).fill(0), 0x00];
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]), // SOI
    seg(0xe0, [...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0: v1.1, 1:1 aspect, no thumbnail
    seg(0xdb, [0x00, ...new Array<number>(64).fill(1)]), // DQT: table 0, 8-bit, all ones
    seg(0xc0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0]), // SOF0: 8-bit, 1x1, 1 component (id 1, 1x1 sampling, qt 0)
    seg(0xc4, oneCodeTable(0x00)), // DHT: DC table 0 (category 0 = diff 0)
    seg(0xc4, oneCodeTable(0x10)), // DHT: AC table 0 (0x00 = EOB)
    seg(0xda, [1, 1, 0x00, 0, 63, 0]), // SOS: 1 component using DC0/AC0, Ss=0 Se=63 Ah/Al=0
    Buffer.from([0x3f]), // scan: DC '0' + EOB '0', padded with 1-bits -> one mid-grey 8x8 block
    Buffer.from([0xff, 0xd9]), // EOI
  ]);
}

/** WAV: RIFF/WAVE with a 16-byte PCM fmt chunk (mono, 8 kHz, 16-bit) and a data chunk of silence. */
export function wav(opts: { samples?: number } = {}): Buffer {
  const { samples = 80 } = opts;
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // channels
  fmt.writeUInt32LE(8000, 4); // sample rate
  fmt.writeUInt32LE(8000 * 2, 8); // byte rate
  fmt.writeUInt16LE(2, 12); // block align
  fmt.writeUInt16LE(16, 14); // bits per sample
  const chunk = (id: string, data: Buffer) => {
    const size = Buffer.alloc(4);
    size.writeUInt32LE(data.length);
    return Buffer.concat([ascii(id), size, data]);
  };
  const body = Buffer.concat([ascii('WAVE'), chunk('fmt ', fmt), chunk('data', Buffer.alloc(samples * 2))]);
  return chunk('RIFF', body);
}

/**
 * MP3: silent MPEG-1 Layer III frames (128 kbps, 44.1 kHz, mono, 1152 samples each; three unless `frames` says),
 * optionally behind an ID3v2.3 tag with TIT2. A frame is 417 bytes, or 418 with the padding bit, which an encoder
 * sets on the frames that keep the average at 144 × 128000 / 44100 = 417.96 bytes.
 */
export function mp3(opts: { id3?: boolean; frames?: number } = {}): Buffer {
  const plain = Buffer.alloc(417);
  plain.set([0xff, 0xfb, 0x90, 0xc4]); // sync, MPEG-1, Layer III, no CRC | 128k, 44.1k, no padding | mono
  const padded = Buffer.alloc(418);
  padded.set([0xff, 0xfb, 0x92, 0xc4]); // the same with the padding bit
  const exact = (144 * 128000) / 44100;
  const frames = Buffer.concat(Array.from({ length: opts.frames ?? 3 }, (_, i) =>
    Math.floor((i + 1) * exact) - Math.floor(i * exact) === 418 ? padded : plain));
  if (!opts.id3) return frames;
  const title = Buffer.concat([Buffer.from([0x00]), ascii('test')]); // ISO-8859-1 encoding byte + text
  const tit2 = Buffer.concat([ascii('TIT2'), u32be(title.length), Buffer.from([0, 0]), title]);
  const n = tit2.length; // syncsafe: 7 bits per byte
  const size = Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
  return Buffer.concat([ascii('ID3'), Buffer.from([3, 0, 0]), size, tit2, frames]);
}

const box = (type: string, ...payload: Buffer[]) => {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32be(8 + body.length), ascii(type), body]);
};

const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];
const ROTATE_90 = [0, 0x00010000, 0, -0x00010000, 0, 0, 0, 0, 0x40000000];

export interface Mp4Options {
  /** A video track of this pixel size (tkhd, with an hdlr of type `vide`). */
  readonly video?: { width: number; height: number; rotate90?: boolean };
  /** The movie's length (mvhd, timescale 1000). */
  readonly durationSeconds?: number;
  /** Put moov after mdat, as a camera that writes as it records does. */
  readonly moovLast?: boolean;
  /** Bytes of (zero) media data in mdat. */
  readonly mdatBytes?: number;
  /** 64-bit mvhd and tkhd (version 1), as long recordings use. */
  readonly version1?: boolean;
}

/**
 * MP4: ftyp (isom; isom, iso2, mp41), moov containing an mvhd (and a video trak when asked), and an mdat. With no
 * options: a version-0 mvhd of length 0 and an empty mdat.
 */
export function mp4(opts: Mp4Options = {}): Buffer {
  const v1 = opts.version1 ?? false;
  const times = v1 ? 8 : 4; // creation and modification time, and duration, grow to 64 bits in version 1
  const fullBox = (type: string, payload: Buffer) => box(type, Buffer.from([v1 ? 1 : 0, 0, 0, 0]), payload);
  const writeTime = (buf: Buffer, value: number, at: number) =>
    v1 ? buf.writeBigUInt64BE(BigInt(value), at) : buf.writeUInt32BE(value, at);

  const mvhd = Buffer.alloc(3 * times + 84); // after version/flags: 2 times, timescale, duration, then 80 bytes
  mvhd.writeUInt32BE(1000, 2 * times); // timescale
  writeTime(mvhd, Math.round((opts.durationSeconds ?? 0) * 1000), 2 * times + 4);
  const rest = 3 * times + 4;
  mvhd.writeUInt32BE(0x00010000, rest); // rate 1.0
  mvhd.writeUInt16BE(0x0100, rest + 4); // volume 1.0
  UNITY_MATRIX.forEach((v, i) => mvhd.writeInt32BE(v, rest + 16 + i * 4));
  mvhd.writeUInt32BE(2, rest + 76); // next_track_ID
  const children = [fullBox('mvhd', mvhd)];

  if (opts.video) {
    const tkhd = Buffer.alloc(3 * times + 68); // 2 times, track_ID, reserved, duration, then 60 bytes and the size
    tkhd.writeUInt32BE(1, 2 * times); // track_ID
    writeTime(tkhd, Math.round((opts.durationSeconds ?? 0) * 1000), 2 * times + 8);
    const at = 3 * times + 8 + 16; // reserved(8), layer+alternate_group(4), volume+reserved(4)
    (opts.video.rotate90 ? ROTATE_90 : UNITY_MATRIX).forEach((v, i) => tkhd.writeInt32BE(v, at + i * 4));
    tkhd.writeUInt32BE(opts.video.width * 0x10000, at + 36); // 16.16 fixed point
    tkhd.writeUInt32BE(opts.video.height * 0x10000, at + 40);
    const hdlr = Buffer.concat([u32be(0), ascii('vide'), Buffer.alloc(12), ascii('video\0')]);
    children.push(box('trak', fullBox('tkhd', tkhd), box('mdia', box('hdlr', Buffer.alloc(4), hdlr))));
  }

  const ftyp = box('ftyp', ascii('isom'), u32be(0x200), ascii('isomiso2mp41'));
  const moov = box('moov', ...children);
  const mdat = box('mdat', Buffer.alloc(opts.mdatBytes ?? 0));
  return opts.moovLast ? Buffer.concat([ftyp, mdat, moov]) : Buffer.concat([ftyp, moov, mdat]);
}

/**
 * WebM: EBML header (DocType "webm", version 4/2) followed by a Segment holding an Info element with TimecodeScale
 * (and a Duration when asked), and a Tracks element with one VP8 video track when a size is asked for.
 */
export function webm(opts: { durationSeconds?: number; video?: { width: number; height: number } } = {}): Buffer {
  // EBML element: ID bytes, 1-byte size (0x80 | len, so len < 127), payload.
  const el = (id: number[], ...payload: Buffer[]) => {
    const body = Buffer.concat(payload);
    return Buffer.concat([Buffer.from(id), Buffer.from([0x80 | body.length]), body]);
  };
  const uint = (...bytes: number[]) => Buffer.from(bytes);
  const header = el([0x1a, 0x45, 0xdf, 0xa3],
    el([0x42, 0x86], uint(1)), // EBMLVersion
    el([0x42, 0xf7], uint(1)), // EBMLReadVersion
    el([0x42, 0xf2], uint(4)), // EBMLMaxIDLength
    el([0x42, 0xf3], uint(8)), // EBMLMaxSizeLength
    el([0x42, 0x82], ascii('webm')), // DocType
    el([0x42, 0x87], uint(4)), // DocTypeVersion
    el([0x42, 0x85], uint(2)), // DocTypeReadVersion
  );
  const infoChildren = [el([0x2a, 0xd7, 0xb1], uint(0x0f, 0x42, 0x40))]; // TimecodeScale = 1 ms
  if (opts.durationSeconds !== undefined) {
    const duration = Buffer.alloc(8);
    duration.writeDoubleBE(opts.durationSeconds * 1000); // in TimecodeScale units
    infoChildren.push(el([0x44, 0x89], duration));
  }
  const segment = [el([0x15, 0x49, 0xa9, 0x66], ...infoChildren)]; // Info
  if (opts.video) {
    const { width, height } = opts.video;
    const video = el([0xe0], el([0xb0], u16be(width)), el([0xba], u16be(height))); // PixelWidth, PixelHeight
    const entry = el([0xae], el([0xd7], uint(1)), el([0x73, 0xc5], uint(1)), el([0x83], uint(1)), el([0x86], ascii('V_VP8')), video);
    segment.push(el([0x16, 0x54, 0xae, 0x6b], entry)); // Tracks > TrackEntry (number, UID, type video, codec)
  }
  return Buffer.concat([header, el([0x18, 0x53, 0x80, 0x67], ...segment)]); // Segment
}

/** PDF 1.4: catalog, pages, one blank 72x72 pt page, xref with exact byte offsets, trailer, startxref, %%EOF. */
export function pdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Resources << >> >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = out.length; // ASCII only, so string length == byte length
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return ascii(out);
}

/** ZIP: one stored (method 0) entry "hello.txt" — local file header + data, central directory entry, end-of-central-directory record. */
export function zip(): Buffer {
  const name = ascii('hello.txt');
  const data = ascii('hello, world\n');
  const crc = crc32(data);
  // Fields shared by local and central headers: version needed 10, flags 0, method 0, time 0, date 1980-01-01, crc, sizes, name length.
  const common = Buffer.alloc(24);
  common.writeUInt16LE(10, 0);
  common.writeUInt16LE(0x21, 8);
  common.writeUInt32LE(crc, 10);
  common.writeUInt32LE(data.length, 14);
  common.writeUInt32LE(data.length, 18);
  common.writeUInt16LE(name.length, 22);
  const le32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
  // local: sig, common, extra length 0
  const local = Buffer.concat([le32(0x04034b50), common, Buffer.alloc(2), name, data]);
  // central: sig, version made by 20, common, extra/comment/disk/internal attrs 0, external attrs 0, local header offset 0
  const central = Buffer.concat([le32(0x02014b50), Buffer.from([20, 0]), common, Buffer.alloc(8), le32(0), le32(0), name]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8); // entries on this disk
  end.writeUInt16LE(1, 10); // entries total
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(local.length, 16); // central directory offset
  return Buffer.concat([local, central, end]);
}

/** Plain UTF-8 text (multi-line, with non-ASCII characters); file-type detects nothing. */
export function text(): Buffer {
  return Buffer.from('hello, world\nhéllo wörld – ✓ 日本語\n', 'utf8');
}

/**
 * `n` crypto-random bytes that file-type does not detect. file-type is async-only, so this
 * cannot re-check synchronously; instead bytes 0 and 4 — the offsets where its short (1-2 byte)
 * magics live, e.g. MP3 sync 0xFFE, 'BM', 'MZ', MPEG-TS 0x47 at 0 or 4, 'ftyp' at 4 — are set to
 * 0x8F, which starts no signature. The remaining matches need >= 32 random bits (p < 1e-9).
 */
export function randomBytes(n: number): Buffer {
  const buf = cryptoRandomBytes(n);
  if (n > 0) buf[0] = 0x8f;
  if (n > 4) buf[4] = 0x8f;
  return buf;
}

/** `buf` followed by zero bytes up to exactly `size` bytes (the valid file stays at the front). */
export function padTo(buf: Buffer, size: number): Buffer {
  if (size < buf.length) throw new RangeError(`padTo: size ${size} < buffer length ${buf.length}`);
  return Buffer.concat([buf, Buffer.alloc(size - buf.length)], size);
}

const CHUNK = 64 * 1024;

/** A byte stream of `head` then zeros, `totalSize` bytes in all, in chunks of at most 64 KiB; never holds `totalSize` in memory. */
export function sizedStream(head: Buffer, totalSize: number): Readable {
  if (totalSize < head.length) throw new RangeError(`sizedStream: totalSize ${totalSize} < head length ${head.length}`);
  function* chunks(): Generator<Buffer> {
    for (let at = 0; at < head.length; at += CHUNK) yield head.subarray(at, at + CHUNK);
    for (let left = totalSize - head.length; left > 0; left -= CHUNK) yield Buffer.alloc(Math.min(CHUNK, left));
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** SubRip subtitles: two cues. */
export function srt(): Buffer {
  return Buffer.from('1\n00:00:01,000 --> 00:00:02,500\nHello there.\n\n2\n00:00:03,000 --> 00:00:04,000\nGoodbye.\n', 'utf8');
}

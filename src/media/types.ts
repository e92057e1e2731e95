// Which media assetd accepts and what they are called. Types are always decided from the bytes (file-type),
// never from a file name or a declared Content-Type.
import { fileTypeFromBuffer } from 'file-type';

export type MediaKind = 'image' | 'video' | 'audio' | 'document' | 'archive' | 'subtitle';

export interface MediaType {
  readonly mime: string;
  readonly kind: MediaKind;
  readonly extension: string;
}

export const MEDIA_TYPES: readonly MediaType[] = [
  { mime: 'image/png', kind: 'image', extension: 'png' },
  { mime: 'image/jpeg', kind: 'image', extension: 'jpg' },
  { mime: 'video/mp4', kind: 'video', extension: 'mp4' },
  { mime: 'video/webm', kind: 'video', extension: 'webm' },
  { mime: 'audio/mpeg', kind: 'audio', extension: 'mp3' },
  { mime: 'audio/wav', kind: 'audio', extension: 'wav' },
  { mime: 'application/pdf', kind: 'document', extension: 'pdf' },
  { mime: 'application/zip', kind: 'archive', extension: 'zip' },
  { mime: 'application/x-subrip', kind: 'subtitle', extension: 'srt' },
];

export function mimesOfKinds(kinds: readonly MediaKind[]): ReadonlySet<string> {
  return new Set(MEDIA_TYPES.filter((t) => kinds.includes(t.kind)).map((t) => t.mime));
}

/** The eight types `POST /v3/assets` takes, SRT subtitles included as the platform does (zip is direct upload only). */
export const SINGLE_UPLOAD_MIMES = mimesOfKinds(['image', 'video', 'audio', 'document', 'subtitle']);

// Other names that file-type or clients use for the same container.
const ALIASES: Readonly<Record<string, string>> = {
  'audio/vnd.wave': 'audio/wav',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'video/x-m4v': 'video/mp4',
  'image/jpg': 'image/jpeg',
  'text/srt': 'application/x-subrip',
  'application/srt': 'application/x-subrip',
};

export function canonicalMime(mime: string): string {
  const bare = mime.split(';')[0]!.trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

export function mediaTypeOf(mime: string): MediaType | undefined {
  const canonical = canonicalMime(mime);
  return MEDIA_TYPES.find((t) => t.mime === canonical);
}

/** How many leading bytes are enough to sniff every supported type (file-type needs ~4 KiB; ID3 tags need more). */
export const SNIFF_BYTES = 64 * 1024;

export interface SniffResult {
  /** Canonical MIME as detected, or undefined when the bytes match no known format. */
  readonly detected: string | undefined;
  readonly media: MediaType | undefined;
}

// SubRip has no magic number: a cue number, then a "00:00:01,000 --> 00:00:02,500" timing line.
const SRT_START = /^\uFEFF?\s*\d+\r?\n\d{2}:\d{2}:\d{2}[,.]\d{3} --> \d{2}:\d{2}:\d{2}[,.]\d{3}/;

function looksLikeSrt(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, 512));
  return SRT_START.test(text);
}

export async function sniff(head: Uint8Array): Promise<SniffResult> {
  const found = await fileTypeFromBuffer(head);
  if (!found) {
    if (looksLikeSrt(head)) return { detected: 'application/x-subrip', media: mediaTypeOf('application/x-subrip') };
    return { detected: undefined, media: undefined };
  }
  const detected = canonicalMime(found.mime);
  return { detected, media: mediaTypeOf(detected) };
}

export function describeSupported(mimes: ReadonlySet<string>): string {
  return [...mimes].join(', ');
}

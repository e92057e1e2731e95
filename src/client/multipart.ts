// A multipart/form-data body of one file part, streamed from disk, with its exact length worked out up front so the
// request carries a Content-Length (a server can refuse an oversized file before reading it).
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export interface MultipartFile {
  readonly field: string;
  readonly path: string;
  readonly sizeBytes: number;
  readonly filename: string;
}

export interface MultipartBody {
  readonly contentType: string;
  readonly contentLength: number;
  /** A fresh stream each call, so a request can be sent again. */
  stream(): Readable;
}

/** Quotes a file name for a Content-Disposition parameter; characters that would end the header are replaced. */
function quoted(name: string): string {
  return `"${name.replace(/[\r\n"\\]/g, '_')}"`;
}

export function multipartFile(file: MultipartFile): MultipartBody {
  const boundary = `assetd-${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename=${quoted(file.filename)}\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: head.length + file.sizeBytes + tail.length,
    stream: () =>
      Readable.from(
        (async function* () {
          yield head;
          yield* createReadStream(file.path, { highWaterMark: 1024 * 1024 });
          yield tail;
        })(),
        { objectMode: false },
      ),
  };
}

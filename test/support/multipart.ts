// A streaming multipart/form-data client on node:http, so tests can send 32 MiB files without holding them, send
// malformed bodies, and hang up half-way.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';

export interface Part {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly body: Buffer | Readable | string;
}

export interface UploadResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function partHeader(boundary: string, part: Part): string {
  const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
  const type = part.contentType === undefined ? '' : `\r\nContent-Type: ${part.contentType}`;
  return `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`;
}

async function* multipartBody(boundary: string, parts: readonly Part[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    yield Buffer.from(partHeader(boundary, part));
    if (part.body instanceof Readable) {
      for await (const chunk of part.body) yield chunk as Buffer;
    } else {
      yield Buffer.from(part.body);
    }
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

export function sendMultipart(
  url: string,
  key: string | null,
  parts: readonly Part[],
  extraHeaders: Record<string, string> = {},
): Promise<UploadResult> {
  const boundary = `----assetd-test-${randomBytes(8).toString('hex')}`;
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(key ? { 'x-api-key': key } : {}),
        ...extraHeaders,
      },
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json: text ? JSON.parse(text) : null });
      });
      response.on('error', reject);
    });
    // The server may answer (413, 401) and close before we finish sending: the response, if one came, counts.
    let answered = false;
    request.on('response', () => (answered = true));
    request.on('error', (error) => {
      setTimeout(() => answered || reject(error), 200);
    });
    Readable.from(multipartBody(boundary, parts)).pipe(request);
  });
}

export function uploadFile(url: string, key: string | null, body: Buffer | Readable, filename = 'upload.bin', contentType = 'application/octet-stream') {
  return sendMultipart(`${url}/v3/assets`, key, [{ name: 'file', filename, contentType, body }]);
}

/** Sends the start of a multipart upload, `bytes` of file content, then destroys the socket. */
export function abortUploadAfter(url: string, key: string, head: Buffer, bytes: number): Promise<void> {
  const boundary = '----assetd-abort';
  return new Promise((resolve) => {
    const request = http.request(`${url}/v3/assets`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-api-key': key },
    });
    request.on('error', () => resolve());
    request.write(partHeader(boundary, { name: 'file', filename: 'cut.png', body: '' }));
    const content = Buffer.alloc(bytes);
    head.copy(content);
    request.write(content, () => setTimeout(() => { request.destroy(); resolve(); }, 100));
  });
}

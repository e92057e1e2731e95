// PUT raw bytes to a presigned upload URL with node:http, so the body can stream and Content-Length is ours to set.
import http from 'node:http';
import { Readable } from 'node:stream';

export interface PutResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function putBytes(url: string, headers: Record<string, string>, body: Buffer | Readable, contentLength?: number): Promise<PutResult> {
  const length = contentLength ?? (Buffer.isBuffer(body) ? body.length : undefined);
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'PUT',
      headers: { ...headers, ...(length !== undefined ? { 'content-length': String(length) } : {}) },
    });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        // S3 answers in XML: only our own endpoint's JSON is parsed.
        const json = (response.headers['content-type'] ?? '').includes('json') && text ? JSON.parse(text) : null;
        resolve({ status: response.statusCode ?? 0, headers: response.headers, json });
      });
    });
    // A refusal may close the connection while we are still sending; the answer is what counts.
    request.on('error', (error) => setTimeout(() => answered || reject(error), 200));
    (Buffer.isBuffer(body) ? Readable.from([body]) : body).pipe(request);
  });
}

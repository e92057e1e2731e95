// A client on a raw socket that sends a request a piece at a time, so tests can stall, trickle or hold a request
// open, and see exactly what the server answered and when it closed the connection.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any;
}

export class SlowClient {
  private received = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('error', () => {}); // a reset is one way of being dropped; `closed` reports it
    this.closed = once(socket, 'close').then(() => {
      this.isClosed = true;
      this.wake();
    });
  }

  static async connect(baseUrl: string): Promise<SlowClient> {
    const { hostname, port } = new URL(baseUrl);
    const socket = net.connect(Number(port), hostname);
    await once(socket, 'connect');
    return new SlowClient(socket);
  }

  /** Writes and waits until the bytes are handed to the kernel; false if the connection is gone. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(data, (error) => resolve(!error)));
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The first response on the connection, once whole; null if the connection closed without one. */
  async response(): Promise<RawResponse | null> {
    for (;;) {
      const parsed = this.parse();
      if (parsed) return parsed;
      if (this.isClosed) return null;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private parse(): RawResponse | null {
    const text = this.received.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = this.received.subarray(end + 4);
    if (body.length < length) return null;
    const bodyText = body.subarray(0, length).toString('utf8');
    const json = (headers['content-type'] ?? '').includes('json') && bodyText ? JSON.parse(bodyText) : null;
    return { status: Number(statusLine!.split(' ')[1]), headers, body: bodyText, json };
  }

  private wake(): void {
    for (const wake of [...this.waiters]) {
      this.waiters.delete(wake);
      wake();
    }
  }
}

/** A request head with a Content-Length, ready for a body sent in pieces. */
export function requestHead(method: string, url: string, headers: Record<string, string>, contentLength: number): string {
  const { pathname, search, host } = new URL(url);
  const lines = [`${method} ${pathname}${search} HTTP/1.1`, `Host: ${host}`, `Content-Length: ${contentLength}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * A POST /v3/assets of `file` as one multipart part: `head` is everything up to and including the file's first
 * `sendFirst` bytes, `rest` what completes the body.
 */
export function multipartUpload(baseUrl: string, key: string, file: Buffer, sendFirst: number): { head: Buffer; rest: Buffer } {
  const boundary = `----slow-${randomBytes(6).toString('hex')}`;
  const opening = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const closing = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = opening.length + file.length + closing.length;
  const head = requestHead('POST', `${baseUrl}/v3/assets`, { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}` }, length);
  return {
    head: Buffer.concat([Buffer.from(head), opening, file.subarray(0, sendFirst)]),
    rest: Buffer.concat([file.subarray(sendFirst), closing]),
  };
}

/** Starts an upload and sends its first `sendFirst` bytes of file, holding the rest back. */
export async function startUpload(baseUrl: string, key: string, file: Buffer, sendFirst: number) {
  const client = await SlowClient.connect(baseUrl);
  const { head, rest } = multipartUpload(baseUrl, key, file, sendFirst);
  await client.write(head);
  return { client, rest };
}

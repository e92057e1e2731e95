// One request on its own connection (no keep-alive pool that a killed server leaves stale), told apart by how it
// ended: an answer, or a connection cut before one came.
import http from 'node:http';

export type Outcome =
  | {
      readonly answered: true;
      readonly status: number;
      readonly headers: http.IncomingHttpHeaders;
      readonly body: Buffer;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      readonly json: any;
    }
  | { readonly answered: false; readonly error: Error };

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Give up (as a cut) after this long. */
  readonly timeoutMs?: number;
}

/** The JSON of a body, or undefined when it is not JSON. */
function parseJson(headers: http.IncomingHttpHeaders, body: Buffer): unknown {
  if (!(headers['content-type'] ?? '').includes('json') || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function send(url: string, options: SendOptions = {}): Promise<Outcome> {
  const { method = 'GET', headers = {}, body, timeoutMs = 60_000 } = options;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = http.request(url, { method, headers, agent: false });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const bytes = Buffer.concat(chunks);
        settle({ answered: true, status: response.statusCode ?? 0, headers: response.headers, body: bytes, json: parseJson(response.headers, bytes) });
      });
      // Headers came but the body was cut: the answer was not whole, so it does not count as one.
      response.on('error', (error) => settle({ answered: false, error }));
      response.on('aborted', () => settle({ answered: false, error: new Error('answer cut short') }));
    });
    // A server may answer and close before the whole body is sent: give the answer a moment to be read.
    request.on('error', (error) => setTimeout(() => settle({ answered: false, error }), 100));
    request.end(body);
  });
}

/** A JSON request with an API key. */
export function sendJson(url: string, key: string, method: string, value: unknown, headers: Record<string, string> = {}): Promise<Outcome> {
  return send(url, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify(value),
  });
}

/** A multipart/form-data body with one `file` part. */
export function filePart(bytes: Buffer, filename: string, contentType = 'application/octet-stream'): { body: Buffer; contentType: string } {
  const boundary = `----assetd-fault-${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

export function uploadOne(baseUrl: string, key: string, bytes: Buffer, filename = 'fault.png'): Promise<Outcome> {
  const { body, contentType } = filePart(bytes, filename, 'image/png');
  return send(`${baseUrl}/v3/assets`, { method: 'POST', headers: { 'content-type': contentType, 'x-api-key': key }, body });
}

/** Whether an answer is an error in the API's envelope: {"error": {"code", "message"}}. */
export function isEnvelope(json: unknown): boolean {
  const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

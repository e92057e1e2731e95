// A store that accepts connections and then says nothing (seen: Ceph RGW with a full pool) must fail calls as
// service_unavailable instead of holding them forever. The "store" here is a loopback socket that never answers.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../domain/errors.js';
import { S3Storage } from './s3-storage.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();
afterEach(async () => {
  sockets.forEach((socket) => socket.destroy());
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function silentStore(): Promise<{ endpoint: string; connections: () => number }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // Reads the request, answers nothing.
    socket.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('S3Storage against a store that goes silent', () => {
  it('fails the call as service_unavailable once its socket has been idle for idleTimeoutSeconds', async () => {
    const store = await silentStore();
    const started = Date.now();
    const opened = S3Storage.open({
      bucket: 'silent',
      prefix: '',
      region: 'us-east-1',
      endpoint: store.endpoint,
      accessKeyId: 'k',
      secretAccessKey: 's',
      forcePathStyle: true,
      idleTimeoutSeconds: 1,
    });
    const error = await opened.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('service_unavailable');
    // The SDK's own retries (three tries in all) each wait out the idle limit, then it gives up.
    expect(store.connections()).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(12_000);
  }, 20_000);
});

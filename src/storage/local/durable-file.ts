// A file Writable that ends durable: fdatasync'd before it reports finished. It also flushes in the background
// every FLUSH_EVERY bytes while the writes go on, so the dirty pages of a multi-GiB file reach the disk during the
// upload rather than all at once in the final sync (which would stall the response by seconds).
import fs from 'node:fs/promises';
import { Writable } from 'node:stream';

const FLUSH_EVERY = 128 * 1024 * 1024;

export class DurableFileWriter extends Writable {
  private handle: fs.FileHandle | null = null;
  private sinceFlush = 0;
  /** Every byte written so far: the file's size once the stream has finished. */
  written = 0;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    highWaterMark: number,
  ) {
    super({ highWaterMark });
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // 'wx': two writers can never share a file.
    fs.open(this.file, 'wx').then((handle) => {
      this.handle = handle;
      callback();
    }, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const handle = this.handle!;
    Promise.resolve(this.flushing)
      .then(() => handle.datasync())
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = null;
    Promise.resolve(this.flushing)
      .catch(() => {})
      .then(() => handle?.close())
      .then(() => callback(error), () => callback(error));
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    const handle = this.handle!;
    let { bytesWritten } = await handle.writev(buffers);
    const total = buffers.reduce((n, b) => n + b.length, 0);
    // A short writev (rare) is finished one buffer at a time.
    if (bytesWritten < total) {
      const rest = Buffer.concat(buffers).subarray(bytesWritten);
      for (let offset = 0; offset < rest.length; ) offset += (await handle.write(rest, offset)).bytesWritten;
      bytesWritten = total;
    }
    this.sinceFlush += bytesWritten;
    this.written += bytesWritten;
    if (this.sinceFlush >= FLUSH_EVERY && !this.flushing) {
      this.sinceFlush = 0;
      this.flushing = handle.datasync().finally(() => (this.flushing = null));
    }
  }
}

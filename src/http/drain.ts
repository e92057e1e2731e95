// Graceful shutdown of the HTTP side. shutdown(): readiness turns 503 and new uploads are refused; the listener
// closes (no new connections) and every response from then on carries `Connection: close`; requests in flight get
// up to the grace period to finish; then what is left is aborted (its connections destroyed, so each upload's abort
// path removes its temp file), and shutdown waits for those handlers to finish cleaning up.
import type { FastifyInstance, RouteHandlerMethod } from 'fastify';

/** How long aborted handlers get to clean up (remove temp files, release keys) once their connections are gone. */
const ABORTED_SETTLE_MS = 10_000;

export class Drain {
  private stopping = false;
  /** Requests from onRequest until their response is over. */
  private requests = 0;
  /** Route handlers still running (an aborted upload's handler outlives its response while it cleans up). */
  private readonly handlers = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();

  /** True from the start of a shutdown: readiness answers 503 and uploads are refused. */
  get draining(): boolean {
    return this.stopping;
  }

  /** Must be installed before any route is added, so that every handler is tracked. */
  install(app: FastifyInstance): void {
    const track = (handler: Promise<unknown>) => this.track(handler);
    app.addHook('onRoute', (route) => {
      const handler = route.handler as (...args: Parameters<RouteHandlerMethod>) => unknown;
      route.handler = function tracked(this: FastifyInstance, ...args: Parameters<RouteHandlerMethod>) {
        const result = handler.apply(this, args);
        if (result instanceof Promise) track(result);
        return result;
      } as RouteHandlerMethod;
    });
    app.addHook('onRequest', async (_request, reply) => {
      this.requests += 1;
      reply.raw.once('close', () => {
        this.requests -= 1;
        this.settle();
      });
    });
    app.addHook('onSend', async (_request, reply) => {
      if (this.stopping) void reply.header('connection', 'close');
    });
  }

  /**
   * Stops taking connections, gives requests in flight up to `graceMs` to finish, then closes the app (which
   * destroys the connections left) and waits for their handlers. With 0, it aborts at once.
   */
  async shutdown(app: FastifyInstance, graceMs: number): Promise<void> {
    this.stopping = true;
    if (graceMs > 0 && app.server.listening) {
      app.server.close(); // stops listening and closes idle keep-alive connections; app.close() finishes the job
      if (!(await this.idle(graceMs))) {
        app.log.warn({ requests: this.requests, graceSeconds: graceMs / 1000 }, 'shutdown grace period over: aborting requests in flight');
      }
    }
    await app.close();
    if (!(await this.idle(ABORTED_SETTLE_MS))) app.log.warn({ handlers: this.handlers.size }, 'handlers still running at shutdown');
  }

  private track(handler: Promise<unknown>): void {
    this.handlers.add(handler);
    const done = () => {
      this.handlers.delete(handler);
      this.settle();
    };
    handler.then(done, done);
  }

  /** Resolves true when no request and no handler is left, false when `timeoutMs` passes first. */
  private idle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (idle: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(idle);
      };
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  private isIdle(): boolean {
    return this.requests === 0 && this.handlers.size === 0;
  }

  private settle(): void {
    if (this.isIdle()) for (const wake of [...this.waiters]) wake();
  }
}

// An AbortSignal that fires when the client goes away before its request body has fully arrived. It also fires at
// once if that already happened before the handler ran (a loaded server can start a handler after the 'close'
// event): without that, a body stream cut off earlier would hang its consumer, and a temp file with it.
import type { FastifyRequest } from 'fastify';

export function hangupSignal(request: FastifyRequest): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const raw = request.raw;
  const onClose = () => {
    if (!raw.complete) controller.abort(new Error('client closed the connection'));
  };
  if (raw.destroyed) onClose();
  else raw.once('close', onClose);
  return { signal: controller.signal, dispose: () => raw.off('close', onClose) };
}

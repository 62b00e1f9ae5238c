// Every call the portal makes to a conferencing service, timed and counted for /metrics (latency
// and errors by provider and operation), without touching the adapters: one wrapper at the registry.
// The wrapper keeps the adapter's methods, so the capability checks (hasParticipantCounter, ...)
// see the same object shape.
import type { ConferenceProvider } from './port.ts';

export type CallObserver = (call: { provider: string; operation: string; seconds: number; ok: boolean }) => void;

export function instrumented<P extends ConferenceProvider>(name: string, provider: P, observe: CallObserver): P {
  return new Proxy(provider, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return function (this: unknown, ...args: unknown[]) {
        const started = performance.now();
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        // Synchronous methods (a ticket check, the room's audio mode) make no call to the service.
        if (!(result instanceof Promise)) return result;
        const done = (ok: boolean) => observe({ provider: name, operation: key, seconds: (performance.now() - started) / 1000, ok });
        return result.then(
          (v: unknown) => (done(true), v),
          (e: unknown) => {
            done(false);
            throw e;
          },
        );
      };
    },
  });
}

// /metrics on a port of its own (METRICS_PORT): Prometheus scrapes it inside the network, while the
// main port, which a reverse proxy publishes, does not serve metrics without a token.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { Metrics } from './metrics.ts';

export async function metricsServer(metrics: Metrics, at: { host: string; port: number }): Promise<{ server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served here.\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  server.listen(at.port, at.host);
  await once(server, 'listening');
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs an app on a port and shuts it down gracefully: stop accepting connections, answer 503 on
 * /ready, let the requests in flight finish (for a bounded time), then resolve.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../logging';
import { markDraining } from './lifecycle';

export interface HttpServerOptions {
  /** 0 picks a free port; the handle says which. */
  port: number;
  host?: string;
  logger: Logger;
  /** How long close() waits for requests in flight before cutting their connections. */
  shutdownTimeoutMs?: number;
}

export interface RunningHttpServer {
  server: Server;
  /** The port actually listened on. */
  port: number;
  /** Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}

export async function startHttpServer(app: Express, options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger, shutdownTimeoutMs = 10_000 } = options;
  const server = createServer(app);
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  server.on('request', (_req, res: ServerResponse) => {
    inFlight.add(res);
    res.on('close', () => {
      inFlight.delete(res);
      // The connection turns idle only after this event; then it may go.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, host: options.host }, 'HTTP server listening');

  let closing: Promise<void> | undefined;
  const shutdown = () =>
    new Promise<void>((resolve) => {
      draining = true;
      markDraining(app);
      logger.info({ inFlight: inFlight.size }, 'HTTP server draining');
      // Responses not yet started tell their client not to reuse the connection.
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      const timer = setTimeout(() => {
        logger.warn({ inFlight: inFlight.size, shutdownTimeoutMs }, 'requests still in flight at the shutdown deadline; closing their connections');
        server.closeAllConnections();
      }, shutdownTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        logger.info('HTTP server closed');
        resolve();
      });
      server.closeIdleConnections();
    });

  return { server, port, close: () => (closing ??= shutdown()) };
}

/**
 * The ceiling: the smallest Express 5 app there is, one JSON route, in the same process and
 * listening the same way as the marketplace, driven by the same load client with the same settings.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface CeilingServer {
  url: string;
  stop(): Promise<void>;
}

export async function startCeiling(): Promise<CeilingServer> {
  const app = express();
  app.get('/ping', (_req, res) => {
    res.json({ ok: true });
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

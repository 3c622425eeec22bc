import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { silentLogger, startHttpServer } from '../../src';
import { thingsService } from './thingsApi';

const post = (base: string) =>
  fetch(`${base}/v1/things`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'slow lamp', quantity: 1 }) });

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('the HTTP server', () => {
  it('listens on the port it was given, or on a free one for port 0', async () => {
    const running = await startHttpServer(thingsService().app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
    try {
      expect(running.port).toBeGreaterThan(0);
      const res = await fetch(`http://127.0.0.1:${running.port}/health`);
      expect(res.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  describe('when it closes with a request in flight', () => {
    it('stops accepting, turns not ready, lets the request finish, then resolves', async () => {
      const service = thingsService({ createDelayMs: 300 });
      const running = await startHttpServer(service.app, { port: 0, host: '127.0.0.1', logger: silentLogger(), shutdownTimeoutMs: 5000 });
      const base = `http://127.0.0.1:${running.port}`;
      const inFlight = post(base);
      await until(() => service.creations() === 1);

      let closed = false;
      const closing = running.close().then(() => (closed = true));
      expect(running.close()).toBe(running.close());

      expect((await request(service.app).get('/ready')).status).toBe(503);
      expect((await request(service.app).get('/health')).status).toBe(200);
      await expect(fetch(`${base}/health`)).rejects.toThrow();
      expect(closed).toBe(false);

      const res = await inFlight;
      expect(res.status).toBe(201);
      expect(res.headers.get('connection')).toBe('close');
      expect(await res.json()).toMatchObject({ id: 'thing-1', revision: 0 });
      await closing;
      expect(service.things.get('thing-1')).toMatchObject({ name: 'slow lamp' });
    });

    it('cuts requests that outlast the shutdown timeout', async () => {
      const service = thingsService({ createDelayMs: 5000 });
      const running = await startHttpServer(service.app, { port: 0, host: '127.0.0.1', logger: silentLogger(), shutdownTimeoutMs: 200 });
      const inFlight = post(`http://127.0.0.1:${running.port}`).then(
        () => 'answered',
        () => 'cut',
      );
      await until(() => service.creations() === 1);
      const started = Date.now();
      await running.close();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await inFlight).toBe('cut');
    });
  });
});

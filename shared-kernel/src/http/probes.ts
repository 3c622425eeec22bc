/**
 * Liveness and readiness. `/health` answers 200 as long as the process serves requests;
 * `/ready` answers 503 while the service is shutting down or its own readiness check fails.
 */
import { Router } from 'express';
import type { Logger } from '../logging';
import { HttpProblemError } from './httpErrors';
import type { HttpLifecycle } from './lifecycle';

export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

/**
 * Resolves when the service can take traffic. Resolving with a string means "not ready" and says
 * why (it is shown in the 503 problem); a rejection also means "not ready" (it is logged).
 */
export type ReadinessCheck = () => Promise<void | string>;

export function probes(lifecycle: HttpLifecycle, readiness: ReadinessCheck | undefined, logger: Logger): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/ready', async (req, res) => {
    if (lifecycle.draining) throw notReady('The service is shutting down.');
    const reason = readiness
      ? await readiness().catch((error: unknown) => {
          // Logged rather than shown: a driver's message may name internal hosts.
          (req.log ?? logger).warn({ err: error }, 'readiness check failed');
          return 'A dependency check failed; see the service logs.';
        })
      : undefined;
    if (typeof reason === 'string') throw notReady(reason);
    res.set('Cache-Control', 'no-store').json({ status: 'ready' });
  });
  return router;
}

function notReady(detail: string): HttpProblemError {
  return new HttpProblemError({ status: 503, code: 'not_ready', title: 'Service not ready', detail });
}

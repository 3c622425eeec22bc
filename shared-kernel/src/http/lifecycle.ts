/**
 * What the app knows of its server's life: once the server starts draining, `/ready` answers 503
 * and responses ask clients to close their connection, so that traffic moves elsewhere.
 */
import type { Express, RequestHandler } from 'express';

export interface HttpLifecycle {
  draining: boolean;
}

const KEY = 'httpLifecycle';

export function attachLifecycle(app: Express): HttpLifecycle {
  const lifecycle: HttpLifecycle = { draining: false };
  app.locals[KEY] = lifecycle;
  return lifecycle;
}

/** Marks an app built by createHttpApp as draining; a no-op for any other app. */
export function markDraining(app: Express): void {
  const lifecycle = app.locals[KEY] as HttpLifecycle | undefined;
  if (lifecycle) lifecycle.draining = true;
}

/** While draining, a kept-alive connection would hold the server open: ask the client to close it. */
export function closeConnectionsWhileDraining(lifecycle: HttpLifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.set('Connection', 'close');
    next();
  };
}

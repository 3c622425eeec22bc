/** Swagger UI at `/docs` and the raw document at `/openapi.json`. */
import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { OpenApiDocument } from './openApi';

/** Where the documents are served: the app asks the docs router only about these paths (and those under them). */
export const API_DOCS_PATHS: readonly string[] = ['/openapi.json', '/docs'];

export function apiDocs(document: OpenApiDocument): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  // The page loads its assets by relative URLs (./swagger-ui.css), which only resolve under /docs/.
  router.get('/docs', (req, res, next) => {
    if (req.path === '/docs' && !req.originalUrl.split('?')[0]!.endsWith('/')) res.redirect(301, 'docs/');
    else next();
  });
  // serveFiles, not serve: `serve` hands out one module-wide document, and several apps share a
  // process (the all-in-one, the tests).
  router.use('/docs', ...swaggerUi.serveFiles(document as swaggerUi.JsonObject), swaggerUi.setup(document as swaggerUi.JsonObject, { customSiteTitle: document.info.title }));
  return router;
}

import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { Router } from 'express';

// Swagger UI from the npm package, served locally: /docs works without internet access.
const swaggerUiDirectory = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Manifold API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;

export function docsRoutes(document: Record<string, unknown>): Router {
  const router = Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs/assets', express.static(swaggerUiDirectory, { maxAge: '1d', index: false }));
  router.get('/docs', (_req, res) => {
    res.type('html').send(PAGE);
  });
  return router;
}

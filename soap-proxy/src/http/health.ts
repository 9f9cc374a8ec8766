import { Router } from 'express';
import type { SoapService } from '../services/soap-service.ts';

/** `/healthz`: alive, plus each supplier's circuit state (open = the supplier is being shielded). */
export function healthRoutes(
  services: readonly SoapService[],
  deadLetters: 'ready' | 'unconfigured' = 'unconfigured',
): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    const upstreams = Object.fromEntries(
      services.map((service) => [service.config.name, service.policy.stats()]),
    );
    const degraded = Object.values(upstreams).some((stats) => stats.state !== 'closed');
    // `deadLetters: unconfigured`: ambiguous failures of non-idempotent calls are only logged.
    res.json({ status: degraded ? 'degraded' : 'ok', upstreams, deadLetters });
  });
  return router;
}

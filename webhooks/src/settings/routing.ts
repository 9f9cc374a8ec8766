import type { WebhooksFile } from './webhooks-file.ts';

/** Whether an event type matches a route pattern (`prefix.*` matches a prefix). */
export const matches = (pattern: string, eventType: string) =>
  pattern.endsWith('*') ? eventType.startsWith(pattern.slice(0, -1)) : pattern === eventType;

/** The destinations an event goes to: every route of its source whose events match its type, each destination once, in file order. */
export function createRouter(routes: WebhooksFile['routes']) {
  return (source: string, eventType: string): string[] => {
    const destinations = routes
      .filter((route) => route.source === source && route.events.some((p) => matches(p, eventType)))
      .flatMap((route) => route.to);
    return [...new Set(destinations)];
  };
}
export type Router = ReturnType<typeof createRouter>;

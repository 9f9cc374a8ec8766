import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { parseInput } from '@manifold/platform/errors';
import { Router, type Request, type Response } from 'express';
import type { LegacyForms } from '../clients/legacy-forms.ts';
import { legacyPage } from '../clients/legacy-pages.ts';
import type { LegacyReader } from '../clients/legacy-reader.ts';
import type { SendConditionalJson } from '../http/conditional-json.ts';
import { representationKeysOf } from '../http/representation-key.ts';
import type { RepresentationCache } from '../http/representation-cache.ts';
import type { Idempotency } from '../http/idempotency.ts';
import { toTicket, toTicketSummary } from '../mapping/tickets.ts';
import { legacyFailureResponses, problemResponse } from '../schemas/problem.ts';
import {
  AddComment,
  CreateTicket,
  Ticket,
  TICKET_FIELD_POINTERS,
  TicketIdParams,
  TicketPage,
  TicketQuery,
  UpdateTicket,
} from '../schemas/tickets.ts';

// Tickets change under support staff's hands: cache details briefly, lists not at all.
const TICKET_TTL_SECONDS = 10;
const ticketPath = (id: number) => `index.php?action=ticket&id=${id}`;

const errors = {
  400: problemResponse('Invalid input, or no Idempotency-Key'),
  404: problemResponse('No such ticket'),
  409: problemResponse('The same Idempotency-Key is still being processed'),
  422: problemResponse(
    'The legacy system rejected a value (errors[] points at it), or the Idempotency-Key was used for another body',
  ),
  ...legacyFailureResponses,
};

export interface TicketDeps {
  reader: LegacyReader;
  forms: LegacyForms;
  idempotency: Idempotency;
  registry: OpenAPIRegistry;
  sendConditionalJson: SendConditionalJson;
  /** Rendered answers a write must drop. */
  representations: RepresentationCache;
}

/** Tickets: list, read, create (Idempotency-Key required), change status, comment. The same in v1 and v2. */
export function ticketRoutes({
  reader,
  forms,
  idempotency,
  registry,
  sendConditionalJson,
  representations,
}: TicketDeps): Router {
  const router = Router();
  const readTicket = async (id: number, ttlSeconds: number) => {
    const read = reader.forRequest(ttlSeconds);
    const body = await read.json(ticketPath(id));
    return {
      ticket: Ticket.parse(toTicket(body['ticket'] as Record<string, unknown>)),
      freshness: read.freshness(),
    };
  };
  /** After a write: drop the cached copies (legacy data, rendered answers) and answer with the monolith's fresh state. */
  const afterWrite = async (id: number) => {
    await Promise.all([
      reader.invalidate([ticketPath(id)]),
      representations.invalidate(representationKeysOf(`/tickets/${id}`)),
    ]);
    return (await readTicket(id, TICKET_TTL_SECONDS)).ticket;
  };
  const idFrom = (location: string) => Number(/[?&]id=(\d+)/.exec(location)?.[1] ?? Number.NaN);
  const version = (req: Request) => (req.baseUrl.endsWith('/v1') ? 'v1' : 'v2');

  router.get('/tickets', async (req, res) => {
    const { customerId, status, limit, cursor } = parseInput(TicketQuery, req.query, {
      what: 'query',
    });
    const filters = `${customerId === undefined ? '' : `&customer_id=${customerId}`}${status === undefined ? '' : `&status=${status}`}`;
    const read = reader.forRequest(0);
    const page = await legacyPage(
      read.json,
      {
        list: `tickets${filters}`,
        path: `index.php?action=tickets${filters}`,
        key: 'tickets',
        limit,
        cursor,
      },
      toTicketSummary,
    );
    sendConditionalJson(req, res, TicketPage.parse(page), read.freshness());
  });

  router.get('/tickets/:id', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const { ticket, freshness } = await readTicket(id, TICKET_TTL_SECONDS);
    sendConditionalJson(req, res, ticket, freshness);
  });

  router.post('/tickets', async (req: Request, res: Response) => {
    const input = parseInput(CreateTicket, req.body, { what: 'ticket' });
    const result = await idempotency('tickets', req.header('idempotency-key'), input, async () => {
      const { location } = await forms.submit(
        'ticket_new',
        {
          customer_id: String(input.customerId),
          subject: input.subject,
          priority: input.urgent ? 'high' : 'normal',
        },
        TICKET_FIELD_POINTERS,
      );
      const ticket = await afterWrite(idFrom(location));
      return { status: 201, body: ticket, location: `/api/${version(req)}/tickets/${ticket.id}` };
    });
    if (result.location) res.setHeader('Location', result.location);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  });

  router.patch('/tickets/:id', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const { status } = parseInput(UpdateTicket, req.body, { what: 'ticket change' });
    await forms.submit('ticket_status', { id: String(id), status }, TICKET_FIELD_POINTERS);
    res.json(await afterWrite(id));
  });

  router.post('/tickets/:id/comments', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const { body } = parseInput(AddComment, req.body, { what: 'comment' });
    const write = async () => {
      await forms.submit('ticket_comment', { id: String(id), body }, TICKET_FIELD_POINTERS);
      return { status: 201, body: await afterWrite(id) };
    };
    // Optional here: with a key, a retried comment is posted once.
    const key = req.header('idempotency-key');
    const result =
      key === undefined
        ? { ...(await write()), replayed: false }
        : await idempotency(`tickets:${id}:comments`, key, { body }, write);
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(result.status).json(result.body);
  });

  for (const v of ['v1', 'v2'] as const) {
    const deprecated = v === 'v1' ? { deprecated: true } : {};
    const json = (schema: typeof Ticket | typeof TicketPage, description: string) => ({
      description,
      content: { 'application/json': { schema } },
    });
    registry.registerPath({
      method: 'get',
      path: `/api/${v}/tickets`,
      tags: ['tickets'],
      summary: 'Tickets, filtered',
      ...deprecated,
      request: { query: TicketQuery },
      responses: { 200: json(TicketPage, 'One page'), ...errors },
    });
    registry.registerPath({
      method: 'get',
      path: `/api/${v}/tickets/{id}`,
      tags: ['tickets'],
      summary: 'A ticket with its comments',
      ...deprecated,
      request: { params: TicketIdParams },
      responses: { 200: json(Ticket, 'The ticket'), ...errors },
    });
    registry.registerPath({
      method: 'post',
      path: `/api/${v}/tickets`,
      tags: ['tickets'],
      summary: 'Open a ticket (Idempotency-Key required)',
      ...deprecated,
      request: { body: { content: { 'application/json': { schema: CreateTicket } } } },
      responses: { 201: json(Ticket, 'Created (or the first response, replayed)'), ...errors },
    });
    registry.registerPath({
      method: 'patch',
      path: `/api/${v}/tickets/{id}`,
      tags: ['tickets'],
      summary: 'Change the status',
      ...deprecated,
      request: {
        params: TicketIdParams,
        body: { content: { 'application/json': { schema: UpdateTicket } } },
      },
      responses: { 200: json(Ticket, 'The ticket'), ...errors },
    });
    registry.registerPath({
      method: 'post',
      path: `/api/${v}/tickets/{id}/comments`,
      tags: ['tickets'],
      summary: 'Add a comment',
      ...deprecated,
      request: {
        params: TicketIdParams,
        body: { content: { 'application/json': { schema: AddComment } } },
      },
      responses: { 201: json(Ticket, 'The ticket'), ...errors },
    });
  }
  return router;
}

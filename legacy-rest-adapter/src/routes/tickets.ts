import { Header } from '@manifold/platform/contracts';
import { parseInput } from '@manifold/platform/errors';
import { Router, type Response } from 'express';
import type { LegacyForms } from '../clients/legacy-forms.ts';
import { legacyPage } from '../clients/legacy-pages.ts';
import type { AmbiguousWrites } from '../http/ambiguous-writes.ts';
import type { Idempotency, IdempotentRun } from '../http/idempotency.ts';
import { readBackFailed, unnamedTicket } from '../http/read-back.ts';
import { versionOf, type Versioning } from '../http/versioning.ts';
import type { Legacy, Representations } from '../representations.ts';
import { RequestHeaders } from '../schemas/headers.ts';
import {
  legacyFailureResponses,
  legacyWriteFailureResponses,
  problemResponse,
} from '../schemas/problem.ts';
import {
  AddComment,
  CreateTicket,
  TICKET_FIELD_POINTERS,
  TicketIdParams,
  TicketQuery,
  UpdateTicket,
} from '../schemas/tickets.ts';
import { resourceName, type RouteDeps } from './deps.ts';

// Tickets change under support staff's hands: cache details briefly, lists not at all (they are
// kept only to answer STALE while the monolith fails).
const TICKET_TTL_SECONDS = 10;
const LIST_TTL_SECONDS = 0;
const LIST_PARAMS = Object.keys(TicketQuery.shape);

const errors = {
  400: problemResponse('Invalid input, or no Idempotency-Key'),
  404: problemResponse('No such ticket'),
  409: problemResponse('The same Idempotency-Key is still being processed'),
  422: problemResponse(
    'The legacy system rejected a value (errors[] points at it), or the Idempotency-Key was used for another body',
  ),
  ...legacyFailureResponses,
};
/** A new ticket or comment: a failure that may have written names its dead letter. */
const writeErrors = { ...errors, ...legacyWriteFailureResponses };

export interface TicketDeps extends RouteDeps {
  /** Writes through the monolith's forms (never retried). */
  forms: LegacyForms;
  idempotency: Idempotency;
  /** A new ticket or comment that may or may not have been written becomes a dead letter. */
  ambiguousWrites: AmbiguousWrites;
  versioning: Versioning;
}

/** Tickets: list, read, open (Idempotency-Key required), change status, comment. */
export function ticketRoutes({
  legacy,
  resources,
  document,
  send,
  forms,
  idempotency,
  ambiguousWrites,
  versioning,
}: TicketDeps): Router {
  const router = Router();
  /** A ticket, rendered in the version `res`'s request is in. */
  const readTicket = (res: Response, id: number) =>
    resources.read(
      `/tickets/${id}`,
      TICKET_TTL_SECONDS,
      () => legacy.getJson(`index.php?action=ticket&id=${id}`),
      (legacy) =>
        versionOf(res).representations.ticket.render(legacy['ticket'] as Legacy) as { id: number },
    );
  /**
   * After a write: the one place a write drops what it changed — the ticket's entry, with every
   * version's answer — then the monolith's fresh state, in the request's version.
   */
  const afterWrite = async (res: Response, id: number) => {
    await resources.invalidate(`/tickets/${id}`);
    return (await readTicket(res, id)).body;
  };
  /**
   * `afterWrite` once the monolith has written (`wrote` says what): a failure here is not the
   * write's — it happened — so it is answered READ_BACK_FAILED, naming the ticket (read-back.ts).
   */
  const readBack = async (
    res: Response,
    { id, wrote, keyed }: { id: number; wrote: string; keyed: boolean },
  ) => {
    try {
      return await afterWrite(res, id);
    } catch (error) {
      const ticketUrl = versioning.urlOf(versionOf(res).version, `/tickets/${id}`);
      throw readBackFailed(error, { wrote, ticketId: id, ticketUrl, keyed });
    }
  };
  /** The ticket a redirect names (`…&id=42`); undefined when it names none. */
  const idFrom = (location: string): number | undefined => {
    const id = Number(/[?&]id=(\d{1,15})(?:&|$)/.exec(location)?.[1]);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  };

  router.get('/tickets', async (req, res) => {
    const query = parseInput(TicketQuery, req.query, { what: 'query' });
    const { customerId, status, limit, cursor } = query;
    const filters = `${customerId === undefined ? '' : `&customer_id=${customerId}`}${status === undefined ? '' : `&status=${status}`}`;
    const { ticketPage } = versionOf(res).representations;
    const read = await resources.read(
      resourceName('/tickets', req.query, LIST_PARAMS),
      LIST_TTL_SECONDS,
      () =>
        legacyPage(legacy.getJson, {
          list: `tickets${filters}`,
          path: `index.php?action=tickets${filters}`,
          key: 'tickets',
          limit,
          cursor,
        }),
      (page) => ticketPage.render(page),
    );
    send(req, res, read.body, read);
  });

  router.get('/tickets/:id', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const read = await readTicket(res, id);
    send(req, res, read.body, read);
  });

  router.post('/tickets', async (req, res) => {
    const input = parseInput(CreateTicket, req.body, { what: 'ticket' });
    const result = await idempotency(
      'tickets',
      req.header(Header.idempotencyKey),
      input,
      // `ticketId: null`: written, but the monolith did not say which ticket it created.
      async ({ written, wrote }: IdempotentRun<{ ticketId: number | null }>) => {
        let ticketId = written?.ticketId;
        // Whether a repeat with this key would only read back: not when the fact was not kept.
        let repeatable = true;
        if (ticketId === undefined) {
          // Not safe to repeat: sent and then unanswered, it is a dead letter (ambiguous-writes.ts).
          const { location } = await ambiguousWrites(req, res, 'POST /tickets', (watch) =>
            forms.submit(
              'ticket_new',
              {
                customer_id: String(input.customerId),
                subject: input.subject,
                priority: input.urgent ? 'high' : 'normal',
              },
              TICKET_FIELD_POINTERS,
              watch,
            ),
          );
          // The redirect names the new ticket: it exists now, whatever the read-back does. Kept
          // even when it names none, so that a repeat with this key does not write again.
          ticketId = idFrom(location) ?? null;
          repeatable = await wrote({ ticketId });
        }
        if (ticketId === null) throw unnamedTicket(input.customerId, repeatable);
        const ticket = await readBack(res, {
          id: ticketId,
          wrote: `Ticket ${ticketId} was created`,
          keyed: repeatable,
        });
        return {
          status: 201,
          body: ticket,
          location: versioning.urlOf(versionOf(res).version, `/tickets/${ticket.id}`),
        };
      },
    );
    if (result.location) res.setHeader('Location', result.location);
    if (result.replayed) res.setHeader(Header.idempotentReplayed, 'true');
    res.status(result.status).json(result.body);
  });

  router.patch('/tickets/:id', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const { status } = parseInput(UpdateTicket, req.body, { what: 'ticket change' });
    // Setting a status is idempotent: a client may repeat it, so a failure is never a dead letter.
    await forms.submit('ticket_status', { id: String(id), status }, TICKET_FIELD_POINTERS);
    res.json(await afterWrite(res, id));
  });

  router.post('/tickets/:id/comments', async (req, res) => {
    const { id } = parseInput(TicketIdParams, req.params, { what: 'ticket id' });
    const { body } = parseInput(AddComment, req.body, { what: 'comment' });
    // Optional here: with a key, a retried comment is posted once.
    const key = req.header(Header.idempotencyKey);
    const write = async ({ written, wrote }: IdempotentRun<{ commented: true }>) => {
      let repeatable = key !== undefined;
      if (written === undefined) {
        await ambiguousWrites(req, res, 'POST /tickets/:id/comments', (watch) =>
          forms.submit('ticket_comment', { id: String(id), body }, TICKET_FIELD_POINTERS, watch),
        );
        repeatable = (await wrote({ commented: true })) && repeatable;
      }
      const ticket = await readBack(res, {
        id,
        wrote: `A comment was added to ticket ${id}`,
        keyed: repeatable,
      });
      return { status: 201, body: ticket };
    };
    const result =
      key === undefined
        ? {
            ...(await write({ written: undefined, wrote: () => Promise.resolve(false) })),
            replayed: false,
          }
        : await idempotency(`tickets:${id}:comments`, key, { body }, write);
    if (result.replayed) res.setHeader(Header.idempotentReplayed, 'true');
    res.status(result.status).json(result.body);
  });

  const ticket = {
    status: 200,
    description: 'The ticket',
    body: (representations: Representations) => representations.ticket.schema,
  } as const;
  document.add({
    method: 'get',
    path: '/tickets',
    tags: ['tickets'],
    summary: 'Tickets, filtered',
    request: { query: TicketQuery },
    success: { status: 200, description: 'One page', body: ({ ticketPage }) => ticketPage.schema },
    errors,
  });
  document.add({
    method: 'get',
    path: '/tickets/{id}',
    tags: ['tickets'],
    summary: 'A ticket with its comments',
    request: { params: TicketIdParams },
    success: ticket,
    errors,
  });
  document.add({
    method: 'post',
    path: '/tickets',
    tags: ['tickets'],
    summary: 'Open a ticket (Idempotency-Key required)',
    request: { headers: RequestHeaders.idempotencyKey, body: CreateTicket },
    success: { ...ticket, status: 201, description: 'Created (or the first answer, replayed)' },
    errors: writeErrors,
  });
  document.add({
    method: 'patch',
    path: '/tickets/{id}',
    tags: ['tickets'],
    summary: 'Change the status',
    request: { params: TicketIdParams, body: UpdateTicket },
    success: ticket,
    errors,
  });
  document.add({
    method: 'post',
    path: '/tickets/{id}/comments',
    tags: ['tickets'],
    summary: 'Add a comment (with an Idempotency-Key, a retried comment is posted once)',
    request: {
      params: TicketIdParams,
      headers: RequestHeaders.optionalIdempotencyKey,
      body: AddComment,
    },
    success: { ...ticket, status: 201 },
    errors: writeErrors,
  });
  return router;
}

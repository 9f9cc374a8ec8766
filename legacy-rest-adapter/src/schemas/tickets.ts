import { z } from 'zod';
import { idParams, PageQuery, urlInteger } from './params.ts';

export const TicketStatus = z.enum(['open', 'pending', 'closed']).meta({ id: 'TicketStatus' });
export const TicketIdParams = idParams('Ticket id', 12);
export const TicketQuery = PageQuery.extend({
  customerId: urlInteger(z.number().positive()).optional(),
  status: TicketStatus.optional(),
});

// Request bodies stay inline in /openapi.json (no component id): generators such as
// openapi-typescript make a field with a default required when it sits in a shared component,
// while a client may leave it out.
export const CreateTicket = z.strictObject({
  customerId: z.number().int().positive(),
  subject: z.string().trim().min(1).max(120),
  urgent: z.boolean().default(false),
});
export const UpdateTicket = z.strictObject({ status: TicketStatus });
export const AddComment = z.strictObject({ body: z.string().trim().min(1).max(2_000) });

export const Comment = z
  .object({
    id: z.number().int(),
    author: z.string(),
    body: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Comment' });
const fields = {
  id: z.number().int(),
  customerId: z.number().int(),
  subject: z.string(),
  status: TicketStatus,
  urgent: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};
export const TicketSummary = z.object(fields).meta({ id: 'TicketSummary' });
export const Ticket = z.object({ ...fields, comments: z.array(Comment) }).meta({ id: 'Ticket' });
export const TicketPage = z
  .object({
    data: z.array(TicketSummary),
    page: z.object({
      limit: z.number().int(),
      total: z.number().int(),
      nextCursor: z.string().nullable(),
    }),
  })
  .meta({ id: 'TicketPage' });

/** Legacy form field → where it lives in our request body. */
export const TICKET_FIELD_POINTERS = {
  customer_id: '/customerId',
  subject: '/subject',
  priority: '/urgent',
  status: '/status',
  body: '/body',
} as const;

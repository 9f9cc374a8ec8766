import { z } from 'zod';

export const TicketStatus = z.enum(['open', 'pending', 'closed']).meta({ id: 'TicketStatus' });
export const TicketIdParams = z.object({
  id: z.coerce.number().int().positive().meta({ example: 12 }),
});
export const TicketQuery = z.object({
  customerId: z.coerce.number().int().positive().optional(),
  status: TicketStatus.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});

export const CreateTicket = z
  .strictObject({
    customerId: z.number().int().positive(),
    subject: z.string().trim().min(1).max(120),
    urgent: z.boolean().default(false),
  })
  .meta({ id: 'CreateTicket' });
export const UpdateTicket = z.strictObject({ status: TicketStatus }).meta({ id: 'UpdateTicket' });
export const AddComment = z
  .strictObject({ body: z.string().trim().min(1).max(2_000) })
  .meta({ id: 'AddComment' });

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

import { TicketStatus } from '../schemas/tickets.ts';
import { legacyDateTime, legacyEnum, legacyFlag, legacyInteger } from './legacy-values.ts';
import type { Legacy } from '../representations.ts';

const at = (value: unknown, field: string) =>
  legacyDateTime(value, field) ?? new Date(0).toISOString();

export const toTicketSummary = (legacy: Legacy) => ({
  id: legacyInteger(legacy['id'], 'ticket.id'),
  customerId: legacyInteger(legacy['customer_id'], 'ticket.customer_id'),
  subject: String(legacy['subject']),
  status: legacyEnum(TicketStatus.options, legacy['status'], 'ticket.status'),
  urgent: legacyFlag(legacy['urgent'], 'ticket.urgent'),
  createdAt: at(legacy['created'], 'ticket.created'),
  updatedAt: at(legacy['updated'], 'ticket.updated'),
});

export const toTicket = (legacy: Legacy) => ({
  ...toTicketSummary(legacy),
  comments: ((legacy['comments'] ?? []) as Legacy[]).map((comment) => ({
    id: legacyInteger(comment['id'], 'comment.id'),
    author: String(comment['author']),
    body: String(comment['body']),
    createdAt: at(comment['created'], 'comment.created'),
  })),
});

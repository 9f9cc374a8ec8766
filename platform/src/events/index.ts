export { OUTBOX_TABLE_SQL, recordEvent, type DomainEvent } from './outbox.ts';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay.ts';

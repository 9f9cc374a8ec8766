/** One failed request, as the ops console lists it: what failed, how, and where to read its trace. */
export interface FailedRequest {
  /** ISO 8601, when the answer went out. */
  at: string;
  /** Route template or GraphQL operation (`GET /api/v2/customers/:id`, `query Storefront`): never raw ids. */
  name: string;
  /** HTTP status of the answer (200 for a GraphQL answer that carries errors). */
  status: number;
  /** The catalogue code of the failure. */
  code: string;
  traceId?: string;
  requestId?: string;
}

export interface RecentFailures {
  record: (failure: FailedRequest) => void;
  /** Newest first. */
  list: () => FailedRequest[];
}

/** The last `capacity` failures of this process, in memory: enough for an incident's first minutes. */
export function createRecentFailures(capacity = 50): RecentFailures {
  const ring: FailedRequest[] = [];
  let next = 0;
  return {
    record(failure) {
      ring[next] = failure;
      next = (next + 1) % capacity;
    },
    list() {
      // ring[next - 1] is the newest, ring[next] the oldest once the ring is full.
      return [...ring.slice(next), ...ring.slice(0, next)].reverse();
    },
  };
}

// Requests whose failure was recorded with a better name (the GraphQL operation) than the HTTP
// layer can give it (`POST /graphql`), so that the HTTP layer does not record it twice.
const recordedElsewhere = new WeakSet<object>();
export const markFailureRecorded = (req: object): void => {
  recordedElsewhere.add(req);
};
export const isFailureRecorded = (req: object): boolean => recordedElsewhere.has(req);

export { Header } from './headers.ts';
export {
  DEFAULT_PORTS,
  defaultUrl,
  SUBGRAPH_NAMES,
  SUBGRAPH_REQUEST_LIMIT_BYTES,
  SUBGRAPHS,
  type ServiceName,
  type SubgraphName,
} from './topology.ts';
export { ANONYMOUS, callerOf, setCaller, type Caller } from './identity.ts';
export { Problem } from './problem.ts';
export {
  ATTEMPT_RESPONSE_CHARS,
  DeadLetter,
  DeadLetterAttempt,
  DeadLetterDetail,
  DeadLetterFilter,
  DeadLetterList,
  DeadLetterQuery,
  DestinationList,
  DestinationState,
  EndpointList,
  EndpointState,
  ReplayOutcome,
  ReplayRequest,
} from './webhooks-api.ts';

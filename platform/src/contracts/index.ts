export { Header } from './headers.ts';
export {
  DEFAULT_PORTS,
  defaultUrl,
  SUBGRAPH_NAMES,
  SUBGRAPHS,
  type ServiceName,
  type SubgraphName,
} from './topology.ts';

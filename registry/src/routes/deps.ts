import type { Composer } from '../composition/composer.ts';
import type { RegistryMetrics } from '../metrics.ts';
import type { Registry } from '../registry.ts';
import type { RegistryStore } from '../store/store.ts';
import type { VersionWatch } from '../version-watch.ts';

/** What every route group is given (app.ts builds it once). */
export interface RouteDeps {
  registry: Registry;
  watch: VersionWatch;
  store: RegistryStore;
  composer: Composer;
  metrics: RegistryMetrics;
}

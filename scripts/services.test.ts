import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '@manifold/platform/contracts';
import { dependenciesOf, portVariable, SERVICES, selectServices } from './services.ts';

const names = (services: readonly { name: string }[]) => services.map((service) => service.name);

describe('selectServices', () => {
  it('runs everything when no service is named', () => {
    expect(names(selectServices())).toEqual(names(SERVICES));
  });

  it('adds, transitively, the services a named one links to', () => {
    expect(names(selectServices(['products']))).toEqual([
      'soap-supplier',
      'identity-provider',
      'soap-proxy',
      'products',
    ]);
    expect(names(selectServices(['gateway'])).sort()).toEqual(
      [...SUBGRAPH_NAMES, 'gateway', 'identity-provider', 'soap-proxy', 'soap-supplier'].sort(),
    );
    expect(names(selectServices(['users']))).toEqual(['users']);
  });

  it('refuses an unknown name and lists the known ones', () => {
    expect(() => selectServices(['users', 'nope'])).toThrow(
      /unknown service\(s\) nope; known: .*gateway/,
    );
  });
});

describe('the registry', () => {
  it('links only to services it knows, each started in an earlier stage', () => {
    for (const service of SERVICES)
      for (const dependency of dependenciesOf(service)) {
        const target = SERVICES.find((candidate) => candidate.name === dependency);
        expect(target, `${service.name} → ${dependency}`).toBeDefined();
        expect(target!.stage).toBeLessThan(service.stage);
      }
  });

  it('names each port variable after its service', () => {
    expect(portVariable('legacy-rest-adapter')).toBe('LEGACY_REST_ADAPTER_PORT');
  });
});

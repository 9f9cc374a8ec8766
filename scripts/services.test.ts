import { describe, expect, it, vi } from 'vitest';
import { SUBGRAPH_NAMES } from '@manifold/platform/contracts';
import {
  dependenciesOf,
  portVariable,
  SERVICES,
  selectServices,
  webhooksReplayCredentialLinks,
} from './services.ts';

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

describe('webhooksReplayCredentialLinks', () => {
  const idp = 'http://127.0.0.1:8090';

  it("gives the webhooks service the identity provider's webhooks-replay client, its secret where the provider writes it", () => {
    expect(webhooksReplayCredentialLinks(idp, {})).toEqual({
      WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: 'http://127.0.0.1:8090/token',
      WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID: 'webhooks-replay',
      WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE:
        '.data/identity-provider/secrets/clients/webhooks-replay',
    });
    expect(
      webhooksReplayCredentialLinks(idp, { IDP_DATA_DIR: '/var/idp' })[
        'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE'
      ],
    ).toBe('/var/idp/secrets/clients/webhooks-replay');
  });

  it('sets nothing when the operator set a credential of their own (an empty one is not set)', () => {
    for (const name of [
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY',
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY_FILE',
      'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET',
      'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE',
    ])
      expect(webhooksReplayCredentialLinks(idp, { [name]: 'x' })).toEqual({});
    expect(
      webhooksReplayCredentialLinks(idp, { WEBHOOKS_LEGACY_ADAPTER_API_KEY: '' }),
    ).toHaveProperty('WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID', 'webhooks-replay');
  });

  it("is part of the webhooks service's links under `npm start`", () => {
    // The links read the launcher's environment: none of the operator's credentials set here.
    for (const name of [
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY',
      'WEBHOOKS_LEGACY_ADAPTER_API_KEY_FILE',
      'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET',
      'WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE',
      'IDP_DATA_DIR',
    ])
      vi.stubEnv(name, undefined);
    try {
      const webhooks = SERVICES.find((service) => service.name === 'webhooks')!;
      expect(webhooks.links!((name) => `http://${name}`)).toMatchObject({
        WEBHOOKS_LEGACY_ADAPTER_TOKEN_URL: 'http://identity-provider/token',
        WEBHOOKS_LEGACY_ADAPTER_CLIENT_ID: 'webhooks-replay',
        WEBHOOKS_LEGACY_ADAPTER_CLIENT_SECRET_FILE:
          '.data/identity-provider/secrets/clients/webhooks-replay',
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

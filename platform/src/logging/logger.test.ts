import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('redacts every credential header and field, wherever a request or an object logs it', () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'test',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    });
    const credentials = ['Bearer eyJ.secret.sig', 'mfk_abc_secret', 'signed-identity', 's3cr3t'];
    logger.info({
      req: {
        headers: {
          authorization: credentials[0],
          'x-api-key': credentials[1],
          'x-manifold-identity': credentials[2],
        },
      },
      headers: { cookie: 'session=s3cr3t' },
      clientSecret: credentials[3],
      upstream: {
        access_token: credentials[0],
        password: credentials[3],
        client_secret: credentials[3],
      },
    });
    const [line = ''] = lines;
    for (const credential of credentials) expect(line).not.toContain(credential);
    expect(line).not.toContain('session=');
    expect(line).toContain('[Redacted]');
  });
});

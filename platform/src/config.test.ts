import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BaseEnv, loadEnv } from './config.ts';

describe('loadEnv', () => {
  it('applies defaults', () => {
    expect(loadEnv(BaseEnv, {})).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 10_000,
    });
  });

  it('lists every problem in one error', () => {
    const Env = BaseEnv.extend({ PORT: z.coerce.number().int().max(65_535) });
    expect(() =>
      loadEnv(Env, { PORT: '99999', LOG_LEVEL: 'loud', REDIS_URL: 'not a url' }),
    ).toThrow(
      /Invalid environment:[\s\S]*PORT[\s\S]*LOG_LEVEL[\s\S]*REDIS_URL|Invalid environment:[\s\S]*LOG_LEVEL[\s\S]*REDIS_URL[\s\S]*PORT/,
    );
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv(BaseEnv, { REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});

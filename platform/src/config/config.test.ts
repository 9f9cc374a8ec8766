import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BaseEnv, ConfigError, loadEnv } from './index.ts';

describe('loadEnv', () => {
  it('applies defaults', () => {
    expect(loadEnv(BaseEnv, {})).toMatchObject({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: 10_000,
    });
  });

  it('lists every problem in one error, each naming its variable', () => {
    const Env = BaseEnv.extend({ PORT: z.coerce.number().int().max(65_535) });
    let thrown: unknown;
    try {
      loadEnv(Env, { PORT: '99999', LOG_LEVEL: 'loud', REDIS_URL: 'not a url' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'LOG_LEVEL',
      'PORT',
      'REDIS_URL',
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv(BaseEnv, { REDIS_URL: '' }).REDIS_URL).toBeUndefined();
  });
});

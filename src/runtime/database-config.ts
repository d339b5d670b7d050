/** DATABASE_URL for the services that need the history (recorder, analytics_service); `arbees up` sets it. */
import { ConfigError } from '../core/errors.js';
import { defineVar, parse } from './config.js';

export const databaseUrlVar = defineVar({
  env: 'DATABASE_URL',
  default: '',
  parse: (raw: string, env: string): string => {
    if (raw === '') throw new ConfigError(env, 'is required (arbees up sets it to its embedded Postgres; or a postgres:// URL)');
    return parse.url('postgres', 'postgresql')(raw, env);
  },
  secret: true,
});

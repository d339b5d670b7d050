/**
 * What `arbees up` says about the api: the dashboard URL (its last start-up line) and where the
 * control token is. The token file is made here, before any child starts, so the api child reads
 * the same token instead of racing the launcher to create it.
 */
import { loadConfig } from '../runtime/config.js';
import { ensureApiToken } from '../runtime/api-token.js';
import { apiConfigSpec } from '../services/api/api-config.js';

export const API_SERVICE = 'api';

export interface ApiAccess {
  readonly url: string;
  readonly tokenLine: string;
}

/** Null when the plan does not run the api. Reads the api's own variables (ARBEES_API_HOST / _PORT / _TOKEN). */
export function prepareApiAccess(services: readonly { service: string }[], dataDir: string, env: NodeJS.ProcessEnv = process.env): ApiAccess | null {
  if (!services.some((s) => s.service === API_SERVICE)) return null;
  const config = loadConfig(apiConfigSpec, env);
  const { file } = ensureApiToken(dataDir, config.token);
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = config.port === 0 ? '(any free port: see the api log line "dashboard at")' : `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/`;
  return { url, tokenLine: file === null ? 'bearer token from ARBEES_API_TOKEN' : `bearer token in ${file} (mode 0600)` };
}

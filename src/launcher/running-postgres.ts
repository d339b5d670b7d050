/**
 * The Postgres of the `arbees up` running on a data dir, as a client URL with its password: the
 * run file keeps the URL scrubbed, and the embedded database's password lives next to its data
 * (`<data dir>/pgdata.password`). Shared by the commands that read history beside a running system
 * (`arbees report`, `arbees ledger`).
 */
import path from 'node:path';
import { embeddedPostgresUrl, ensureEmbeddedPassword } from '../store/embedded-postgres-password.js';
import { pidRuns } from './process-utils.js';
import { RunFile } from './run-file.js';

/** Where the embedded database of a data dir keeps its files. */
export const embeddedPgData = (dataDir: string): string => path.join(path.resolve(dataDir), 'pgdata');

/** Null when no `arbees up` runs on `dataDir` or it serves no Postgres. */
export function runningUpPostgresUrl(dataDir: string): string | null {
  const state = new RunFile(path.resolve(dataDir)).read();
  if (!state?.postgres || !pidRuns(state.supervisorPid, 'up')) return null;
  if (state.postgres.source !== 'embedded') return state.postgres.url;
  const u = new URL(state.postgres.url);
  return embeddedPostgresUrl(u.hostname, Number(u.port), ensureEmbeddedPassword(embeddedPgData(dataDir)));
}

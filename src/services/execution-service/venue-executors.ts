/**
 * Builds the executors of a mode, one per venue of the registry. Paper: the book cache. Sim and
 * live: each venue's own executor over its real client, pointed at KALSHI_REST_URL /
 * POLYMARKET_CLOB_URL ... (the simulators under `arbees up` without credentials, the real hosts
 * in live mode). A dry run loads no key and signs nothing. A venue without credentials gets an
 * executor that refuses its orders with the reason, so the other venues can still trade.
 */
import type { Logger } from 'pino';
import { VENUES, type Venue } from '../../core/topics.js';
import { venueAdapter } from '../../venues/index.js';
import type { VenueExecutor, VenueExecutors } from '../../venues/venue-executor.js';
import type { BookCache } from './book-cache.js';
import { DryRunExecutor } from './dry-run-executor.js';
import type { ExecutionConfig, ExecutionSettings } from './execution-service-config.js';
import { PaperVenue } from './paper-venue.js';

export interface ExecutorDeps {
  settings: ExecutionSettings;
  config: ExecutionConfig & { dataDir: string };
  books: BookCache;
  log: Logger;
}

export async function buildExecutors(deps: ExecutorDeps): Promise<VenueExecutors> {
  const entries = await Promise.all(VENUES.map(async (venue): Promise<[Venue, VenueExecutor]> => [venue, await executorOf(venue, deps)]));
  return Object.freeze(Object.fromEntries(entries) as Record<Venue, VenueExecutor>);
}

function executorOf(venue: Venue, { settings, config, books, log }: ExecutorDeps): Promise<VenueExecutor> {
  if (settings.mode === 'paper') return Promise.resolve(new PaperVenue(venue, books, settings.fees));
  const adapter = venueAdapter(venue);
  if (settings.dryRun) return Promise.resolve(new DryRunExecutor({ venue, unsupported: (o) => adapter.unsupported(o) }, log));
  return adapter.createExecutor({
    mode: settings.mode,
    config,
    fees: settings.fees,
    orderTimeoutMs: config.orderTimeoutMs,
    reconcileGraceMs: config.reconcileGraceMs,
    dataDir: config.dataDir,
    log,
  });
}

/**
 * Kalshi in arbees: the market-data feed (kalshi_monitor), the game-winner market search
 * (market_discovery) and the order executor (execution_service), wired from their settings.
 */
import { ConfigError, errorMessage } from '../../core/errors.js';
import { CredentialEnv } from '../../runtime/venue-credentials.js';
import { UnavailableVenue } from '../unavailable-venue.js';
import { defineVenueAdapter, type ExecutorContext } from '../venue-adapter.js';
import type { VenueExecutor } from '../venue-executor.js';
import { loadKalshiSigner, type KalshiSigner } from './auth.js';
import { KalshiAuthError } from './errors.js';
import { kalshiFeedConfigSpec, kalshiSignerFromConfig, type KalshiFeedConfig } from './feed-config.js';
import { kalshiSearchConfigSpec } from './search-config.js';

export const kalshiAdapter = defineVenueAdapter({
  venue: 'kalshi',
  displayName: 'Kalshi',
  monitorService: 'kalshi_monitor',
  monitorSeedPort: 5555,
  feedConfigSpec: kalshiFeedConfigSpec,
  async createFeed(config, log) {
    const signer = kalshiSignerFromConfig(config);
    if (signer === null) log.warn({ url: config.wsUrl }, 'no Kalshi key configured: trying an unsigned WebSocket (only a simulator may accept it)');
    else if (config.verifyKey) await verifyKey(config, signer, log);
    const [{ KalshiWsClient }, { KalshiFeed }] = await Promise.all([import('./ws.js'), import('./feed.js')]);
    const client = new KalshiWsClient({
      url: config.wsUrl,
      signer,
      // The ticker channel adds nothing the book does not already say; settlement comes from the lifecycle channel.
      channels: ['orderbook_delta', 'market_lifecycle_v2'],
      reconnectBaseMs: config.reconnectBaseMs,
      reconnectMaxMs: Math.max(config.reconnectMaxMs, config.reconnectBaseMs),
      staleTimeoutMs: config.staleTimeoutMs,
      resyncTimeoutMs: config.resyncTimeoutMs,
      bookDepth: config.bookDepth,
    });
    return new KalshiFeed(client);
  },
  searchConfigSpec: kalshiSearchConfigSpec,
  async createMarketSearch(c) {
    const [{ KalshiHttpClient }, { KalshiMarketSearch }] = await Promise.all([import('./http.js'), import('./market-search.js')]);
    const client = new KalshiHttpClient({ baseUrl: c.kalshiRestUrl, timeoutMs: c.venueTimeoutMs, maxRetries: 2 });
    return new KalshiMarketSearch(client, {
      series: c.kalshiSeries,
      listingTtlMs: c.listingTtlMs,
      relistAfterMs: c.relistAfterMs,
      minConfidence: c.minConfidence,
      maxPages: 20,
    });
  },
  unsupported: () => null,
  createExecutor,
});

async function createExecutor({ config, fees, log, orderTimeoutMs, reconcileGraceMs }: ExecutorContext): Promise<VenueExecutor> {
  let signer: KalshiSigner | null;
  try {
    signer = loadKalshiSigner({ keyId: config.kalshiKeyId, privateKeyPem: config.kalshiPrivateKey, privateKeyPath: config.kalshiPrivateKeyPath });
  } catch (err) {
    throw new ConfigError(CredentialEnv.kalshiKeyId, errorMessage(err));
  }
  if (signer === null) {
    log.warn(`no Kalshi credentials (${CredentialEnv.kalshiKeyId} + ${CredentialEnv.kalshiPrivateKeyPath}): Kalshi orders are refused`);
    return new UnavailableVenue('kalshi', 'no Kalshi credentials configured');
  }
  const [{ KalshiHttpClient }, { KalshiOrderExecutor }, { KalshiSeriesFees }] = await Promise.all([
    import('./http.js'),
    import('./executor.js'),
    import('./series-fees.js'),
  ]);
  const client = new KalshiHttpClient({ baseUrl: config.kalshiRestUrl, signer, timeoutMs: orderTimeoutMs, maxRetries: 2 });
  // The fee schedule is public: read on its own client so those reads never queue in front of an order.
  const feeReader = new KalshiHttpClient({ baseUrl: config.kalshiRestUrl, timeoutMs: orderTimeoutMs, maxRetries: 2 });
  return new KalshiOrderExecutor({ client, reconcileGraceMs, fees: new KalshiSeriesFees(feeReader, fees.kalshi) });
}

/**
 * One signed read: a key Kalshi refuses (401/403) stops the start with ARB_KALSHI_AUTH; a venue
 * that is merely unreachable does not (the WebSocket keeps retrying and the status shows it).
 */
async function verifyKey(config: KalshiFeedConfig, signer: KalshiSigner, log: { warn(o: object, m: string): void }): Promise<void> {
  const { KalshiHttpClient } = await import('./http.js');
  const rest = new KalshiHttpClient({ baseUrl: config.restUrl, signer, maxRetries: 0, timeoutMs: 5_000 });
  try {
    await rest.getBalance();
  } catch (err) {
    if (err instanceof KalshiAuthError) throw err;
    log.warn({ url: config.restUrl, err: errorMessage(err) }, 'could not verify the Kalshi key at start (venue unreachable?); continuing');
  }
}

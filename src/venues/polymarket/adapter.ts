/**
 * Polymarket in arbees: the market-data feed over the public market WebSocket
 * (polymarket_monitor), the game-winner market search on Gamma (market_discovery) and the CLOB
 * order executor (execution_service), wired from their settings.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Hex, LocalAccount } from 'viem';
import { ConfigError, errorMessage } from '../../core/errors.js';
import { CredentialEnv } from '../../runtime/venue-credentials.js';
import { UnavailableVenue } from '../unavailable-venue.js';
import { defineVenueAdapter, type ExecutorContext } from '../venue-adapter.js';
import type { VenueExecutor } from '../venue-executor.js';
import type { PolyApiCredentials } from './common.js';
import { polymarketFeedConfigSpec } from './feed-config.js';
import { polymarketSearchConfigSpec } from './search-config.js';

export const polymarketAdapter = defineVenueAdapter({
  venue: 'poly',
  displayName: 'Polymarket',
  monitorService: 'polymarket_monitor',
  monitorSeedPort: 5556,
  feedConfigSpec: polymarketFeedConfigSpec,
  async createFeed(c) {
    if (c.staleAfterMs <= c.pingIntervalMs) {
      throw new ConfigError('POLYMARKET_WS_STALE_MS', `must exceed POLYMARKET_WS_PING_MS (${c.pingIntervalMs})`);
    }
    const [{ PolymarketMarketStream }, { PolymarketFeed }] = await Promise.all([import('./ws.js'), import('./feed.js')]);
    const stream = new PolymarketMarketStream({
      url: c.wsUrl,
      maxAssetsPerConnection: c.maxAssetsPerConnection,
      pingIntervalMs: c.pingIntervalMs,
      staleAfterMs: c.staleAfterMs,
      reconnectBaseMs: c.reconnectBaseMs,
      reconnectMaxMs: Math.max(c.reconnectMaxMs, c.reconnectBaseMs),
      customFeatureEnabled: c.customFeatures,
    });
    return new PolymarketFeed(stream, { resyncMinIntervalMs: c.resyncMinIntervalMs });
  },
  searchConfigSpec: polymarketSearchConfigSpec,
  async createMarketSearch(c) {
    const [{ GammaClient }, { PolymarketMarketSearch }] = await Promise.all([import('./gamma.js'), import('./market-search.js')]);
    return new PolymarketMarketSearch(new GammaClient({ baseUrl: c.gammaUrl, timeoutMs: c.venueTimeoutMs }), {
      tagSlugs: c.polyTagSlugs,
      listingTtlMs: c.listingTtlMs,
      relistAfterMs: c.relistAfterMs,
      minConfidence: c.minConfidence,
      startToleranceMs: c.startToleranceMs,
    });
  },
  // NO is the market's other token (the executor buys or sells the complement).
  unsupported: (order) => (Number.isInteger(order.contracts) && order.contracts > 0 ? null : `whole shares only, got ${order.contracts}`),
  createExecutor,
});

async function createExecutor({ mode, config, fees, log, orderTimeoutMs, dataDir }: ExecutorContext): Promise<VenueExecutor> {
  const { privateKeyToAccount, generatePrivateKey } = await import('viem/accounts');
  const account = polyAccount(mode, config.polyPrivateKey, dataDir, { privateKeyToAccount, generatePrivateKey });
  if (account === null) {
    log.warn(`no ${CredentialEnv.polyPrivateKey}: Polymarket orders are refused`);
    return new UnavailableVenue('poly', 'no Polymarket wallet key configured');
  }
  const { apiCredentials } = await import('./auth.js');
  let credentials: PolyApiCredentials;
  if (config.polyApiKey && config.polyApiSecret && config.polyApiPassphrase) {
    credentials = apiCredentials(config.polyApiKey, config.polyApiSecret, config.polyApiPassphrase);
  } else if (mode === 'sim') {
    try {
      credentials = await createSimApiKey(config.polyClobUrl, account, orderTimeoutMs);
    } catch (err) {
      // The simulated CLOB is down or elsewhere: Kalshi can still trade; Polymarket legs are refused with the reason.
      log.warn({ err: errorMessage(err) }, 'no API key from the simulated CLOB: Polymarket orders are refused');
      return new UnavailableVenue('poly', `no API key from the simulated CLOB (${errorMessage(err)})`);
    }
  } else {
    log.warn(`no ${CredentialEnv.polyApiKey} / ${CredentialEnv.polyApiSecret} / ${CredentialEnv.polyApiPassphrase}: Polymarket orders are refused`);
    return new UnavailableVenue('poly', 'no Polymarket API credentials configured');
  }
  const [{ PolymarketClobClient }, { PolyOrderExecutor }] = await Promise.all([import('./http.js'), import('./executor.js')]);
  const client = new PolymarketClobClient({ baseUrl: config.polyClobUrl, timeoutMs: orderTimeoutMs, credentials, address: account.address });
  const funder = config.polyFunder ? (config.polyFunder as Hex) : undefined;
  return new PolyOrderExecutor({ client, account, fee: fees.poly, funder, signatureType: config.polySignatureType, buyFeeInShares: config.polyBuyFeeInShares });
}

interface KeyTools {
  privateKeyToAccount(key: Hex): LocalAccount;
  generatePrivateKey(): Hex;
}

/** Live: the configured key. Sim: the configured key, else one kept in the data dir (a stable simulated wallet). */
function polyAccount(mode: ExecutorContext['mode'], configured: string, dataDir: string, keys: KeyTools): LocalAccount | null {
  const fromConfig = configured.trim();
  if (fromConfig) {
    const hex = (fromConfig.startsWith('0x') ? fromConfig : `0x${fromConfig}`) as Hex;
    try {
      return keys.privateKeyToAccount(hex);
    } catch {
      throw new ConfigError(CredentialEnv.polyPrivateKey, 'is not a 32-byte hex private key');
    }
  }
  if (mode !== 'sim') return null;
  const file = path.join(dataDir, 'sim', 'execution-poly-wallet.key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, keys.generatePrivateKey(), { mode: 0o600 });
  }
  return keys.privateKeyToAccount(readFileSync(file, 'utf8').trim() as Hex);
}

/** The simulator grants API keys through L1 POST /auth/api-key (as the real CLOB does). */
async function createSimApiKey(clobUrl: string, account: LocalAccount, timeoutMs: number): Promise<PolyApiCredentials> {
  const [{ buildL1Headers }, { PolymarketClobClient }] = await Promise.all([import('./auth.js'), import('./http.js')]);
  const client = new PolymarketClobClient({ baseUrl: clobUrl, timeoutMs, readRetries: 0 });
  return client.createApiKey(await buildL1Headers(account));
}

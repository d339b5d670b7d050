/**
 * Builds the executors of a mode. Paper: the book cache. Sim and live: the real Kalshi and
 * Polymarket clients, pointed at KALSHI_REST_URL / POLYMARKET_CLOB_URL (the simulators under
 * `arbees up` without credentials, the real hosts in live mode). A dry run loads no key and signs
 * nothing. A venue without credentials gets an executor that refuses its orders with the reason,
 * so the other venue can still trade.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Hex, LocalAccount } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ConfigError, errorMessage } from '../../core/errors.js';
import type { FeeSchedule } from '../../core/fees.js';
import { loadKalshiSigner } from '../../venues/kalshi/auth.js';
import { KalshiHttpClient } from '../../venues/kalshi/http.js';
import { apiCredentials, buildL1Headers } from '../../venues/polymarket/auth.js';
import type { PolyApiCredentials } from '../../venues/polymarket/common.js';
import { PolymarketClobClient } from '../../venues/polymarket/http.js';
import type { BookCache } from './book-cache.js';
import type { ExecutionConfig, ExecutionSettings } from './execution-config.js';
import { DryRunExecutor } from './dry-run-executor.js';
import { emptyReport, type VenueOrder } from './execution-types.js';
import { reasonText } from './execution-reasons.js';
import { KalshiOrderExecutor } from './kalshi-order-executor.js';
import { PaperVenue } from './paper-venue.js';
import { PolyOrderExecutor } from './poly-order-executor.js';
import type { VenueExecutor, VenueExecutors } from './venue-executor.js';

export interface ExecutorDeps {
  settings: ExecutionSettings;
  config: ExecutionConfig & { dataDir: string };
  books: BookCache;
  log: Logger;
}

/** Refuses every order of a venue it cannot trade (no credentials), with the reason. */
class UnavailableVenue implements VenueExecutor {
  constructor(
    readonly venue: VenueExecutor['venue'],
    private readonly why: string,
  ) {}
  unsupported(): string | null {
    return this.why;
  }
  place() {
    return Promise.resolve(emptyReport('rejected', reasonText('EXEC_UNSUPPORTED_LEG', this.why)));
  }
  reconcile() {
    return Promise.resolve(null);
  }
}

const polyRules = { venue: 'poly' as const, unsupported: (o: VenueOrder) => (o.side === 'no' ? 'a Polymarket market is one outcome token: NO on it would sell shares not held' : null) };
const kalshiRules = { venue: 'kalshi' as const, unsupported: () => null };

export async function buildExecutors(deps: ExecutorDeps): Promise<VenueExecutors> {
  const { settings, config, books, log } = deps;
  if (settings.mode === 'paper') {
    return { kalshi: new PaperVenue('kalshi', books, settings.fees), poly: new PaperVenue('poly', books, settings.fees) };
  }
  if (settings.dryRun) return { kalshi: new DryRunExecutor(kalshiRules, log), poly: new DryRunExecutor(polyRules, log) };
  return { kalshi: kalshiExecutor(deps), poly: await polyExecutor(deps) };
}

function kalshiExecutor({ config, log }: ExecutorDeps): VenueExecutor {
  let signer;
  try {
    signer = loadKalshiSigner({ keyId: config.kalshiKeyId, privateKeyPem: config.kalshiPrivateKey, privateKeyPath: config.kalshiPrivateKeyPath });
  } catch (err) {
    throw new ConfigError('KALSHI_API_KEY', errorMessage(err));
  }
  if (signer === null) {
    log.warn('no Kalshi credentials (KALSHI_API_KEY + KALSHI_PRIVATE_KEY_PATH): Kalshi orders are refused');
    return new UnavailableVenue('kalshi', 'no Kalshi credentials configured');
  }
  const client = new KalshiHttpClient({ baseUrl: config.kalshiRestUrl, signer, timeoutMs: config.orderTimeoutMs, maxRetries: 2 });
  return new KalshiOrderExecutor({ client, reconcileGraceMs: config.reconcileGraceMs });
}

async function polyExecutor({ settings, config, log }: ExecutorDeps): Promise<VenueExecutor> {
  const account = polyAccount(settings.mode, config);
  if (account === null) {
    log.warn('no POLYMARKET_PRIVATE_KEY: Polymarket orders are refused');
    return new UnavailableVenue('poly', 'no Polymarket wallet key configured');
  }
  let credentials: PolyApiCredentials;
  if (config.polyApiKey && config.polyApiSecret && config.polyApiPassphrase) {
    credentials = apiCredentials(config.polyApiKey, config.polyApiSecret, config.polyApiPassphrase);
  } else if (settings.mode === 'sim') {
    try {
      credentials = await createSimApiKey(config.polyClobUrl, account, config.orderTimeoutMs);
    } catch (err) {
      // The simulated CLOB is down or elsewhere: Kalshi can still trade; Polymarket legs are refused with the reason.
      log.warn({ err: errorMessage(err) }, 'no API key from the simulated CLOB: Polymarket orders are refused');
      return new UnavailableVenue('poly', `no API key from the simulated CLOB (${errorMessage(err)})`);
    }
  } else {
    log.warn('no POLYMARKET_API_KEY/SECRET/PASSPHRASE: Polymarket orders are refused');
    return new UnavailableVenue('poly', 'no Polymarket API credentials configured');
  }
  const client = new PolymarketClobClient({ baseUrl: config.polyClobUrl, timeoutMs: config.orderTimeoutMs, credentials, address: account.address });
  const funder = config.polyFunder ? (config.polyFunder as Hex) : undefined;
  return new PolyOrderExecutor({ client, account, fee: settings.fees.poly, funder, signatureType: config.polySignatureType });
}

/** Live: the configured key. Sim: the configured key, else one kept in the data dir (a stable simulated wallet). */
function polyAccount(mode: ExecutionSettings['mode'], config: ExecutorDeps['config']): LocalAccount | null {
  const fromConfig = config.polyPrivateKey.trim();
  if (fromConfig) {
    const hex = (fromConfig.startsWith('0x') ? fromConfig : `0x${fromConfig}`) as Hex;
    try {
      return privateKeyToAccount(hex);
    } catch {
      throw new ConfigError('POLYMARKET_PRIVATE_KEY', 'is not a 32-byte hex private key');
    }
  }
  if (mode !== 'sim') return null;
  const file = path.join(config.dataDir, 'sim', 'execution-poly-wallet.key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, generatePrivateKey(), { mode: 0o600 });
  }
  return privateKeyToAccount(readFileSync(file, 'utf8').trim() as Hex);
}

/** The simulator grants API keys through L1 POST /auth/api-key (as the real CLOB does). */
async function createSimApiKey(clobUrl: string, account: LocalAccount, timeoutMs: number): Promise<PolyApiCredentials> {
  const headers = await buildL1Headers(account);
  const res = await fetch(`${clobUrl.replace(/\/+$/, '')}/auth/api-key`, { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new ConfigError('POLYMARKET_CLOB_URL', `the simulated CLOB refused an API key (HTTP ${res.status})`);
  const body = (await res.json()) as { apiKey?: string; secret?: string; passphrase?: string };
  if (!body.apiKey || !body.secret || !body.passphrase) throw new ConfigError('POLYMARKET_CLOB_URL', 'the simulated CLOB answered without API credentials');
  return apiCredentials(body.apiKey, body.secret, body.passphrase);
}

/**
 * kalshi_monitor: one consistent order book per assigned Kalshi market over the venue's
 * WebSocket, published as `prices.kalshi.<ticker>` on every top-of-book change (hot path) and as
 * `orderbook.kalshi.<ticker>` (batched). Assignments come from the orchestrator (games:active and
 * games.* game_info); see src/services/monitor-common for everything venue-independent.
 */
import { errorMessage } from '../../core/errors.js';
import { defineService } from '../../runtime/service.js';
import type { KalshiSigner } from '../../venues/kalshi/auth.js';
import { KalshiAuthError } from '../../venues/kalshi/errors.js';
import { KalshiHttpClient } from '../../venues/kalshi/http.js';
import { KalshiWsClient } from '../../venues/kalshi/ws.js';
import { startMarketMonitor } from '../monitor-common/market-monitor.js';
import { KalshiFeed } from './kalshi-feed.js';
import { kalshiMonitorConfigSpec, kalshiSignerFromConfig, type KalshiMonitorConfig } from './kalshi-monitor-config.js';

export const kalshiMonitor = defineService({
  name: 'kalshi_monitor',
  description: 'Kalshi order books of the assigned markets -> prices.kalshi.* / orderbook.kalshi.*',
  configSpec: kalshiMonitorConfigSpec,
  async start(ctx) {
    const config = ctx.config;
    const signer = kalshiSignerFromConfig(config);
    if (signer === null) ctx.log.warn({ url: config.wsUrl }, 'no Kalshi key configured: trying an unsigned WebSocket (only a simulator may accept it)');
    else if (config.verifyKey) await verifyKey(config, signer, ctx.log);
    const client = new KalshiWsClient({
      url: config.wsUrl,
      signer,
      // The ticker channel adds nothing the book does not already say.
      channels: ['orderbook_delta'],
      reconnectBaseMs: config.reconnectBaseMs,
      reconnectMaxMs: Math.max(config.reconnectMaxMs, config.reconnectBaseMs),
      staleTimeoutMs: config.staleTimeoutMs,
      resyncTimeoutMs: config.resyncTimeoutMs,
      bookDepth: config.bookDepth,
    });
    await startMarketMonitor(ctx, new KalshiFeed(client));
  },
});

/**
 * One signed read: a key Kalshi refuses (401/403) stops the start with ARB_KALSHI_AUTH; a venue
 * that is merely unreachable does not (the WebSocket keeps retrying and the status shows it).
 */
async function verifyKey(config: KalshiMonitorConfig, signer: KalshiSigner, log: { warn(o: object, m: string): void }): Promise<void> {
  const rest = new KalshiHttpClient({ baseUrl: config.restUrl, signer, maxRetries: 0, timeoutMs: 5_000 });
  try {
    await rest.getBalance();
  } catch (err) {
    if (err instanceof KalshiAuthError) throw err;
    log.warn({ url: config.restUrl, err: errorMessage(err) }, 'could not verify the Kalshi key at start (venue unreachable?); continuing');
  }
}

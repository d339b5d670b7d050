/**
 * Settings of the Kalshi feed (kalshi_monitor). Kalshi's WebSocket needs a signed handshake even
 * for market data, so against the real hosts a key is required and its absence stops the service
 * at start with a config error; against another host (the simulator) an unsigned attempt is allowed.
 */
import { ConfigError } from '../../core/errors.js';
import { defineVar, parse, type ConfigOf } from '../../runtime/config.js';
import { CredentialEnv, kalshiCredentialSpec } from '../../runtime/venue-credentials.js';
import { venueEndpointSpec } from '../../runtime/venue-endpoints.js';
import { loadKalshiSigner, type KalshiSigner } from './auth.js';

export const kalshiFeedConfigSpec = {
  wsUrl: venueEndpointSpec.kalshiWsUrl,
  restUrl: venueEndpointSpec.kalshiRestUrl,
  ...kalshiCredentialSpec,
  /** Check the key with one signed REST call at start: a refused key fails fast and clearly. */
  verifyKey: defineVar({ env: 'KALSHI_VERIFY_KEY', default: true, parse: parse.bool }),
  reconnectBaseMs: defineVar({ env: 'KALSHI_WS_RECONNECT_BASE_MS', default: 250, parse: parse.int(10, 600_000) }),
  reconnectMaxMs: defineVar({ env: 'KALSHI_WS_RECONNECT_MAX_MS', default: 30_000, parse: parse.int(10, 600_000) }),
  /** Kalshi pings every 10 s: three missed pings and the link is declared dead. */
  staleTimeoutMs: defineVar({ env: 'KALSHI_WS_STALE_MS', default: 30_000, parse: parse.int(100, 600_000) }),
  resyncTimeoutMs: defineVar({ env: 'KALSHI_WS_RESYNC_TIMEOUT_MS', default: 5_000, parse: parse.int(50, 600_000) }),
};

export type KalshiFeedConfig = ConfigOf<typeof kalshiFeedConfigSpec>;

/** Kalshi's own hosts (production and demo), where an unsigned handshake is always refused. */
function isKalshiHost(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return ['kalshi.com', 'kalshi.co'].some((d) => host === d || host.endsWith(`.${d}`));
}

/** The signer from the config; throws ConfigError when a real host would need one and none is set. */
export function kalshiSignerFromConfig(config: KalshiFeedConfig): KalshiSigner | null {
  const signer = loadKalshiSigner({
    keyId: config.kalshiKeyId || undefined,
    privateKeyPem: config.kalshiPrivateKey || undefined,
    privateKeyPath: config.kalshiPrivateKeyPath || undefined,
  });
  if (signer === null && isKalshiHost(config.wsUrl)) {
    const { kalshiKeyId, kalshiPrivateKey, kalshiPrivateKeyPath } = CredentialEnv;
    throw new ConfigError(
      kalshiKeyId,
      `is required: Kalshi market data at ${new URL(config.wsUrl).host} needs a signed WebSocket; set ${kalshiKeyId} and ${kalshiPrivateKey} (PEM) or ${kalshiPrivateKeyPath}`,
    );
  }
  return signer;
}

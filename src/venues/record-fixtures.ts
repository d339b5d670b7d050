/**
 * `npm run record:fixtures [out-dir]`: records the real venues' payloads (see each venue's
 * fixture-recorder.ts) into `out-dir` (default `fixtures-recorded/`), with a summary of which
 * ones this client parses. Hosts come from the usual endpoint variables (live by default);
 * credentials from the usual credential variables. Reads only, except
 * `RECORD_POLYMARKET_PROBE=true`: one unfillable-by-design FAK BUY of the minimum size at the
 * lowest price (at most $0.05) to record the real order reply. `RECORD_KALSHI_SERIES`
 * (default KXNBAGAME) and `RECORD_POLYMARKET_TOKEN` pick the market; `RECORD_WS_SECONDS` (15).
 */
import { errorMessage } from '../core/errors.js';
import { CredentialEnv } from '../runtime/venue-credentials.js';
import { VenueEnv } from '../runtime/venue-endpoints.js';
import { KALSHI_HOSTS } from './kalshi/common.js';
import { POLYMARKET_HOSTS } from './polymarket/common.js';

const env = (name: string, fallback = ''): string => process.env[name]?.trim() || fallback;

async function main(): Promise<void> {
  const outDir = process.argv[2] ?? 'fixtures-recorded';
  const wsSeconds = Number(env('RECORD_WS_SECONDS', '15'));
  const { recordKalshiFixtures } = await import('./kalshi/fixture-recorder.js');
  const { loadKalshiSigner } = await import('./kalshi/auth.js');
  const signer = loadKalshiSigner({
    keyId: env(CredentialEnv.kalshiKeyId),
    privateKeyPem: env(CredentialEnv.kalshiPrivateKey) || undefined,
    privateKeyPath: env(CredentialEnv.kalshiPrivateKeyPath) || undefined,
  });
  report('Kalshi', () =>
    recordKalshiFixtures({
      restUrl: env(VenueEnv.kalshiRestUrl, KALSHI_HOSTS.prod.restUrl),
      wsUrl: env(VenueEnv.kalshiWsUrl, KALSHI_HOSTS.prod.wsUrl),
      outDir,
      series: env('RECORD_KALSHI_SERIES', 'KXNBAGAME'),
      wsSeconds,
      signer,
    }),
  );
  const { recordPolymarketFixtures } = await import('./polymarket/fixture-recorder.js');
  const { apiCredentials } = await import('./polymarket/auth.js');
  const { privateKeyToAccount } = await import('viem/accounts');
  const key = env(CredentialEnv.polyPrivateKey);
  const account = key ? privateKeyToAccount((key.startsWith('0x') ? key : `0x${key}`) as `0x${string}`) : undefined;
  const apiKey = env(CredentialEnv.polyApiKey);
  const credentials = apiKey ? apiCredentials(apiKey, env(CredentialEnv.polyApiSecret), env(CredentialEnv.polyApiPassphrase)) : undefined;
  const token = env('RECORD_POLYMARKET_TOKEN');
  report('Polymarket', () =>
    recordPolymarketFixtures({
      clobUrl: env(VenueEnv.polyClobUrl, POLYMARKET_HOSTS.clob),
      gammaUrl: env(VenueEnv.polyGammaUrl, POLYMARKET_HOSTS.gamma),
      wsUrl: env(VenueEnv.polyWsUrl, POLYMARKET_HOSTS.marketWs),
      outDir,
      wsSeconds,
      probe: env('RECORD_POLYMARKET_PROBE') === 'true',
      ...(token ? { tokenId: token } : {}),
      ...(credentials ? { credentials } : {}),
      ...(account ? { account } : {}),
    }),
  );
  await Promise.all(pending);
}

const pending: Promise<void>[] = [];

function report(venue: string, run: () => Promise<Record<string, string>>): void {
  pending.push(
    run().then(
      (summary) => {
        const bad = Object.entries(summary).filter(([, v]) => v.startsWith('unparsed'));
        process.stdout.write(`${venue}: ${Object.keys(summary).length} payloads recorded, ${bad.length} not parsed\n`);
        for (const [file, why] of bad) process.stdout.write(`  ${file}: ${why}\n`);
        if (bad.length > 0) process.exitCode = 1;
      },
      (err: unknown) => {
        process.stderr.write(`${venue}: recording failed: ${errorMessage(err)}\n`);
        process.exitCode = 1;
      },
    ),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`record:fixtures: ${errorMessage(err)}\n`);
  process.exit(1);
});

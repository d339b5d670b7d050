/**
 * The venue credential variables, spelled once. A service that needs a venue's keys spreads that
 * venue's spec into its config spec; `arbees up` reads `LIVE_CREDENTIAL_VARS` to tell whether the
 * user wants the live venues; the supervisor strips them from children on the simulators.
 */
import { defineVar, parse, type ConfigOf } from './config.js';

export const CredentialEnv = Object.freeze({
  kalshiKeyId: 'KALSHI_API_KEY',
  kalshiPrivateKey: 'KALSHI_PRIVATE_KEY',
  kalshiPrivateKeyPath: 'KALSHI_PRIVATE_KEY_PATH',
  polyPrivateKey: 'POLYMARKET_PRIVATE_KEY',
  polyApiKey: 'POLYMARKET_API_KEY',
  polyApiSecret: 'POLYMARKET_API_SECRET',
  polyApiPassphrase: 'POLYMARKET_API_PASSPHRASE',
  polyFunder: 'POLYMARKET_FUNDER',
  polySignatureType: 'POLYMARKET_SIGNATURE_TYPE',
  polyBuyFeeInShares: 'POLYMARKET_BUY_FEE_IN_SHARES',
} as const);

/** Kalshi: an API key id and an RSA private key (PEM text, `\n` escapes allowed, or a file). */
export const kalshiCredentialSpec = {
  kalshiKeyId: defineVar({ env: CredentialEnv.kalshiKeyId, default: '', parse: parse.string }),
  kalshiPrivateKey: defineVar({ env: CredentialEnv.kalshiPrivateKey, default: '', parse: parse.string, secret: true, describe: 'PEM text, \\n escapes allowed' }),
  kalshiPrivateKeyPath: defineVar({ env: CredentialEnv.kalshiPrivateKeyPath, default: '', parse: parse.string }),
};

/** Polymarket: the wallet key and the CLOB L2 API credentials derived from it. */
export const polymarketCredentialSpec = {
  polyPrivateKey: defineVar({ env: CredentialEnv.polyPrivateKey, default: '', parse: parse.string, secret: true }),
  polyApiKey: defineVar({ env: CredentialEnv.polyApiKey, default: '', parse: parse.string, secret: true }),
  polyApiSecret: defineVar({ env: CredentialEnv.polyApiSecret, default: '', parse: parse.string, secret: true }),
  polyApiPassphrase: defineVar({ env: CredentialEnv.polyApiPassphrase, default: '', parse: parse.string, secret: true }),
  polyFunder: defineVar({ env: CredentialEnv.polyFunder, default: '', parse: parse.string }),
  polySignatureType: defineVar({ env: CredentialEnv.polySignatureType, default: 0, parse: parse.int(0, 3) }),
  polyBuyFeeInShares: defineVar({ env: CredentialEnv.polyBuyFeeInShares, default: false, parse: parse.bool, describe: "the venue keeps a BUY's fee out of the shares credited (net shares in the reply), not in collateral on top" }),
};

/** Variables that hold live venue credentials: their presence means "the user wants live". */
export const LIVE_CREDENTIAL_VARS: readonly string[] = Object.freeze(
  Object.values(CredentialEnv).filter((name) => name !== CredentialEnv.polySignatureType && name !== CredentialEnv.polyBuyFeeInShares),
);

/** What a venue's executor reads: its credentials and its order endpoint. */
export type VenueClientConfig = ConfigOf<typeof kalshiCredentialSpec> &
  ConfigOf<typeof polymarketCredentialSpec> & { readonly kalshiRestUrl: string; readonly polyClobUrl: string };

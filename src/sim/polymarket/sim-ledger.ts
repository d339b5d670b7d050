/**
 * API keys and balances of the simulated venue's users. Collateral (pUSD) and shares are bigint
 * 6-decimal base units, as on chain. Collateral of resting BUY orders and shares of resting SELL
 * orders are held by the order (taken from the balance when it rests, returned on cancel).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { getAddress, type Address } from 'viem';
import { apiCredentials } from '../../venues/polymarket/auth.js';
import type { PolyApiCredentials } from '../../venues/polymarket/common.js';

export interface SimAccount {
  apiKey: string;
  address: Address;
  credentials: PolyApiCredentials;
  /** pUSD base units. */
  collateral: bigint;
  /** token id -> shares in base units. */
  shares: Map<string, bigint>;
  /** Taker fees paid, base units. */
  feesPaid: bigint;
}

export interface RegisterApiKeyParams {
  address: Address;
  apiKey?: string;
  secret?: string;
  passphrase?: string;
  /** Starting pUSD, in dollars. */
  collateralUsd?: number;
}

export class SimLedger {
  private readonly accounts = new Map<string, SimAccount>();

  register(p: RegisterApiKeyParams): SimAccount {
    const apiKey = p.apiKey ?? randomUUID();
    const credentials = apiCredentials(apiKey, p.secret ?? randomBytes(32).toString('base64url'), p.passphrase ?? randomBytes(16).toString('hex'));
    const account: SimAccount = {
      apiKey,
      address: getAddress(p.address),
      credentials,
      collateral: BigInt(Math.round((p.collateralUsd ?? 0) * 1e6)),
      shares: new Map(),
      feesPaid: 0n,
    };
    this.accounts.set(apiKey, account);
    return account;
  }

  get(apiKey: string): SimAccount | undefined {
    return this.accounts.get(apiKey);
  }

  byAddress(address: string): SimAccount | undefined {
    const a = address.toLowerCase();
    return [...this.accounts.values()].find((acc) => acc.address.toLowerCase() === a);
  }

  all(): SimAccount[] {
    return [...this.accounts.values()];
  }

  sharesOf(account: SimAccount, tokenId: string): bigint {
    return account.shares.get(tokenId) ?? 0n;
  }

  addShares(account: SimAccount, tokenId: string, delta: bigint): void {
    const next = this.sharesOf(account, tokenId) + delta;
    if (next === 0n) account.shares.delete(tokenId);
    else account.shares.set(tokenId, next);
  }
}

/**
 * Polymarket CLOB authentication (Polymarket's API documentation).
 * L2 (every trading call): HMAC-SHA256 over `timestamp + METHOD + requestPath + body` keyed by
 * the URL-safe-base64-decoded API secret, sent URL-safe base64 with its `=` padding kept.
 * L1 (creating or deriving API keys): an EIP-712 `ClobAuth` signature by the wallet key.
 * Secrets never leave this module except inside the HMAC: credentials objects hide them from
 * JSON, inspection and spreading, so a careless log line cannot print them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { Address, Hex, LocalAccount } from 'viem';
import { POLYGON_CHAIN_ID, type PolyApiCredentials } from './common.js';
import { PolymarketAuthError } from './errors.js';

const L2_HEADER = Object.freeze({
  address: 'POLY_ADDRESS',
  signature: 'POLY_SIGNATURE',
  timestamp: 'POLY_TIMESTAMP',
  apiKey: 'POLY_API_KEY',
  passphrase: 'POLY_PASSPHRASE',
  nonce: 'POLY_NONCE',
});

/**
 * Credentials whose `secret` and `passphrase` are non-enumerable: JSON.stringify, pino, object
 * spread and util.inspect all see only the apiKey.
 */
export function apiCredentials(apiKey: string, secret: string, passphrase: string): PolyApiCredentials {
  if (!apiKey || !secret || !passphrase) throw new PolymarketAuthError('apiKey, secret and passphrase are all required');
  secretKey(secret); // validate once, early
  const creds = { apiKey } as PolyApiCredentials;
  Object.defineProperty(creds, 'secret', { value: secret, enumerable: false });
  Object.defineProperty(creds, 'passphrase', { value: passphrase, enumerable: false });
  Object.defineProperty(creds, 'toJSON', { value: () => ({ apiKey, secret: '[redacted]', passphrase: '[redacted]' }) });
  Object.defineProperty(creds, inspect.custom, { value: () => `PolyApiCredentials { apiKey: '${apiKey}' }` });
  return Object.freeze(creds);
}

function secretKey(secret: string): Buffer {
  const standard = secret.replace(/-/g, '+').replace(/_/g, '/');
  if (!/^[A-Za-z0-9+/]+=*$/.test(standard)) throw new PolymarketAuthError('the API secret is not base64');
  const key = Buffer.from(standard, 'base64');
  if (key.length === 0) throw new PolymarketAuthError('the API secret decodes to nothing');
  return key;
}

/** The L2 HMAC signature, URL-safe base64 with padding. */
export function l2Signature(secret: string, timestampS: number, method: string, requestPath: string, body?: string): string {
  return createHmac('sha256', secretKey(secret))
    .update(`${timestampS}${method.toUpperCase()}${requestPath}${body ?? ''}`)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

export interface L2Request {
  method: string;
  /** Path only, without the query string (the official client signs GETs without it). */
  requestPath: string;
  /** The exact JSON string that is sent, if any. */
  body?: string;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function buildL2Headers(
  creds: PolyApiCredentials,
  address: Address,
  req: L2Request,
  timestampS: number = nowSeconds(),
): Record<string, string> {
  return {
    [L2_HEADER.address]: address,
    [L2_HEADER.signature]: l2Signature(creds.secret, timestampS, req.method, pathOnly(req.requestPath), req.body),
    [L2_HEADER.timestamp]: String(timestampS),
    [L2_HEADER.apiKey]: creds.apiKey,
    [L2_HEADER.passphrase]: creds.passphrase,
  };
}

/** Constant-time comparison of a received L2 signature with the expected one. */
export function l2SignatureMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

function pathOnly(requestPath: string): string {
  const q = requestPath.indexOf('?');
  return q === -1 ? requestPath : requestPath.slice(0, q);
}

// ---------------------------------------------------------------------------------------------
// L1

const CLOB_AUTH_MESSAGE = 'This message attests that I control the given wallet';

const CLOB_AUTH_TYPES = {
  ClobAuth: [
    { name: 'address', type: 'address' },
    { name: 'timestamp', type: 'string' },
    { name: 'nonce', type: 'uint256' },
    { name: 'message', type: 'string' },
  ],
} as const;

export function clobAuthTypedData(address: Address, timestampS: number, nonce: bigint, chainId = POLYGON_CHAIN_ID) {
  return {
    domain: { name: 'ClobAuthDomain', version: '1', chainId },
    types: CLOB_AUTH_TYPES,
    primaryType: 'ClobAuth' as const,
    message: { address, timestamp: String(timestampS), nonce, message: CLOB_AUTH_MESSAGE },
  };
}

/** L1 headers for `POST /auth/api-key` and `GET /auth/derive-api-key`. */
export async function buildL1Headers(
  account: LocalAccount,
  timestampS: number = nowSeconds(),
  nonce = 0n,
  chainId = POLYGON_CHAIN_ID,
): Promise<Record<string, string>> {
  const signature: Hex = await account.signTypedData(clobAuthTypedData(account.address, timestampS, nonce, chainId));
  return {
    [L2_HEADER.address]: account.address,
    [L2_HEADER.signature]: signature,
    [L2_HEADER.timestamp]: String(timestampS),
    [L2_HEADER.nonce]: nonce.toString(),
  };
}

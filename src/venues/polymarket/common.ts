/**
 * Polymarket constants and the types shared by the clients and the simulator (Polymarket's API
 * documentation). Everything that changed with CLOB V2 (2026-04-28) is named here once.
 */
import type { Address, Hex } from 'viem';

export const POLYMARKET_HOSTS = Object.freeze({
  gamma: 'https://gamma-api.polymarket.com',
  clob: 'https://clob.polymarket.com',
  marketWs: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
});

export const POLYGON_CHAIN_ID = 137;

/** CTF Exchange V2 contracts: the signed order's `verifyingContract`. */
export const EXCHANGE_V2_ADDRESS: Address = '0xE111180000d2663C0091e4f400237545B87B996B';
export const NEG_RISK_EXCHANGE_V2_ADDRESS: Address = '0xe2222d279d744050d28e00520010520000310F59';

export const ORDER_DOMAIN_NAME = 'Polymarket CTF Exchange';
export const ORDER_DOMAIN_VERSION = '2';

export const ZERO_BYTES32: Hex = '0x0000000000000000000000000000000000000000000000000000000000000000';

/** Collateral (pUSD) and outcome shares both use 6-decimal base units. */
export const AMOUNT_DECIMALS = 6;

/** Every tick size the venue uses (0.005 and 0.0025 too, on some markets: clob-client-v2 TickSize). */
const TICK_SIZES = ['0.1', '0.01', '0.005', '0.001', '0.0025', '0.0001'] as const;
export type TickSize = (typeof TICK_SIZES)[number];

/** Decimal places of price, size and amount per tick size (clob-client-v2 roundingConfig). */
export const ROUNDING: Readonly<Record<TickSize, { price: number; size: number; amount: number }>> = Object.freeze({
  '0.1': { price: 1, size: 2, amount: 3 },
  '0.01': { price: 2, size: 2, amount: 4 },
  '0.005': { price: 3, size: 2, amount: 5 },
  '0.001': { price: 3, size: 2, amount: 5 },
  '0.0025': { price: 4, size: 2, amount: 6 },
  '0.0001': { price: 4, size: 2, amount: 6 },
});

export type PolySide = 'BUY' | 'SELL';
export type PolyOrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

export const SignatureType = Object.freeze({
  EOA: 0,
  POLY_PROXY: 1,
  POLY_GNOSIS_SAFE: 2,
  POLY_1271: 3,
} as const);
export type SignatureTypeValue = (typeof SignatureType)[keyof typeof SignatureType];

/** Sports taker fee rate (0.03) in basis points; fees are charged at match time, takers only. */
export const SPORTS_TAKER_FEE_BP = 300;

/** L2 API credentials. `secret` is URL-safe base64. */
export interface PolyApiCredentials {
  apiKey: string;
  secret: string;
  passphrase: string;
}

/** One price level: YES-side price of the token in [0,1], size in shares. */
export interface PolyLevel {
  price: number;
  size: number;
}

export function isTickSize(s: string): s is TickSize {
  return (TICK_SIZES as readonly string[]).includes(s);
}

export const ALL_TICK_SIZES: readonly TickSize[] = TICK_SIZES;

/**
 * Precision of FAK/FOK orders, which the CLOB treats as market orders whatever their price: a
 * BUY's collateral (maker) at most 2 decimals and its shares (taker) at most 4; a SELL's shares
 * (maker) at most 2 and its collateral (taker) at most 4, for every tick size (the venue's 400
 * "invalid amounts, the market buy orders maker amount supports a max accuracy of 2 decimals,
 * taker amount a max of 4 decimals"; py-clob-client #121, py-clob-client-v2 #99, rs-clob-client #114).
 */
export const MARKET_ORDER_DECIMALS = Object.freeze({ maker: 2, taker: 4 });

/**
 * Building and signing CLOB V2 orders (Polymarket's API documentation). The signed struct is EIP-712 with
 * domain { name "Polymarket CTF Exchange", version "2", chainId, verifyingContract } and the
 * 11-field V2 `Order` type (no nonce, feeRateBps or taker; timestamp, metadata and builder are
 * new). Amounts are computed in integers from the price in ticks and the size in hundredths, so
 * no float rounding ever reaches a signed amount.
 */
import { randomInt } from 'node:crypto';
import {
  getAddress,
  hashTypedData,
  isAddress,
  isHex,
  recoverTypedDataAddress,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem';
import {
  AMOUNT_DECIMALS,
  EXCHANGE_V2_ADDRESS,
  NEG_RISK_EXCHANGE_V2_ADDRESS,
  ORDER_DOMAIN_NAME,
  ORDER_DOMAIN_VERSION,
  POLYGON_CHAIN_ID,
  ROUNDING,
  SignatureType,
  ZERO_BYTES32,
  type PolyOrderType,
  type PolySide,
  type SignatureTypeValue,
  type TickSize,
} from './common.js';
import { PolymarketOrderInvalidError, PolymarketParseError } from './errors.js';
import { asObject } from './parse.js';

const ORDER_V2_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

/** The signed V2 struct. `side` is 0 for BUY and 1 for SELL. */
export interface OrderV2 {
  salt: bigint;
  maker: Address;
  signer: Address;
  tokenId: bigint;
  makerAmount: bigint;
  takerAmount: bigint;
  side: 0 | 1;
  signatureType: number;
  /** Milliseconds. */
  timestamp: bigint;
  metadata: Hex;
  builder: Hex;
}

export interface SignedOrderV2 {
  order: OrderV2;
  /** Unix seconds, 0 = none. Travels in the body but is not signed. */
  expiration: bigint;
  signature: Hex;
}

export interface ExchangeOptions {
  negRisk?: boolean;
  chainId?: number;
  /** Overrides the exchange picked by negRisk (tests, other deployments). */
  verifyingContract?: Address;
}

export function orderDomain(opts: ExchangeOptions = {}) {
  return {
    name: ORDER_DOMAIN_NAME,
    version: ORDER_DOMAIN_VERSION,
    chainId: opts.chainId ?? POLYGON_CHAIN_ID,
    verifyingContract: opts.verifyingContract ?? (opts.negRisk ? NEG_RISK_EXCHANGE_V2_ADDRESS : EXCHANGE_V2_ADDRESS),
  } as const;
}

function typedData(order: OrderV2, opts: ExchangeOptions) {
  return { domain: orderDomain(opts), types: ORDER_V2_TYPES, primaryType: 'Order' as const, message: order };
}

// ---------------------------------------------------------------------------------------------
// Building

export interface BuildOrderParams {
  tokenId: string;
  side: PolySide;
  /** Limit price of the token, a multiple of the tick size. */
  price: number;
  /** Shares; rounded down to the size precision (2 decimals). */
  size: number;
  /** Market-order (FAK/FOK) amounts from market-order-amounts.ts, used instead of price x size. */
  amounts?: { makerAmount: bigint; takerAmount: bigint };
  tickSize: TickSize;
  /** The EOA that signs. */
  signer: Address;
  /** The funder (proxy or Safe); defaults to the signer (an EOA account). */
  maker?: Address;
  signatureType?: SignatureTypeValue;
  salt?: bigint;
  timestampMs?: number;
  expirationS?: number;
  metadata?: Hex;
  builder?: Hex;
}

/** Price in ticks of 10^-decimals, refusing prices that are off the tick or outside [tick, 1 - tick]. */
function priceUnits(price: number, tickSize: TickSize): { units: bigint; decimals: number } {
  const decimals = ROUNDING[tickSize].price;
  const scale = 10 ** decimals;
  const scaled = Math.round(price * scale);
  if (!Number.isFinite(price) || Math.abs(scaled - price * scale) > 1e-6) {
    throw new PolymarketOrderInvalidError(`price ${price} is not a multiple of the tick size ${tickSize}`);
  }
  const tick = Math.round(Number(tickSize) * scale);
  if (scaled < tick || scaled > scale - tick) {
    throw new PolymarketOrderInvalidError(`price ${price} is outside [${tickSize}, ${1 - Number(tickSize)}]`);
  }
  return { units: BigInt(scaled), decimals };
}

function sizeUnits(size: number, tickSize: TickSize): { units: bigint; decimals: number } {
  const decimals = ROUNDING[tickSize].size;
  const scale = 10 ** decimals;
  // Round down like the official client, with a hair of tolerance for binary fractions (0.29*100).
  const units = Math.floor(size * scale + 1e-9);
  if (!Number.isFinite(size) || units <= 0 || !Number.isSafeInteger(units)) {
    throw new PolymarketOrderInvalidError(`size ${size} rounds to no shares`);
  }
  return { units: BigInt(units), decimals };
}

/** 6-decimal base units of a value held as `units` × 10^-decimals. */
function toBaseUnits(units: bigint, decimals: number): bigint {
  return units * 10n ** BigInt(AMOUNT_DECIMALS - decimals);
}

/**
 * Maker and taker amounts in 6-decimal base units. BUY pays collateral (size × price) for
 * shares; SELL gives shares for collateral. Exact: price and size precision add up to at most
 * the amount precision for every tick size.
 */
export function orderAmounts(side: PolySide, price: number, size: number, tickSize: TickSize) {
  const p = priceUnits(price, tickSize);
  const s = sizeUnits(size, tickSize);
  const shares = toBaseUnits(s.units, s.decimals);
  const collateral = toBaseUnits(p.units * s.units, p.decimals + s.decimals);
  return side === 'BUY'
    ? { makerAmount: collateral, takerAmount: shares }
    : { makerAmount: shares, takerAmount: collateral };
}

function checkAddress(what: string, a: string): Address {
  if (!isAddress(a, { strict: false })) throw new PolymarketOrderInvalidError(`${what} ${a} is not an address`);
  return getAddress(a);
}

function checkBytes32(what: string, h: Hex): Hex {
  if (!isHex(h) || h.length !== 66) throw new PolymarketOrderInvalidError(`${what} must be 32 bytes of hex`);
  return h;
}

/** A salt that fits a JSON number (the wire sends salt as a number). */
function randomSalt(): bigint {
  return BigInt(randomInt(0, 2 ** 48 - 1));
}

export function buildOrder(p: BuildOrderParams): { order: OrderV2; expiration: bigint } {
  if (!/^\d{1,80}$/.test(p.tokenId)) throw new PolymarketOrderInvalidError(`token id ${p.tokenId} is not a decimal id`);
  const signer = checkAddress('signer', p.signer);
  const { makerAmount, takerAmount } = p.amounts ?? orderAmounts(p.side, p.price, p.size, p.tickSize);
  const salt = p.salt ?? randomSalt();
  if (salt < 0n || salt > BigInt(Number.MAX_SAFE_INTEGER)) throw new PolymarketOrderInvalidError('salt must fit a JSON number');
  return {
    order: {
      salt,
      maker: p.maker ? checkAddress('maker', p.maker) : signer,
      signer,
      tokenId: BigInt(p.tokenId),
      makerAmount,
      takerAmount,
      side: p.side === 'BUY' ? 0 : 1,
      signatureType: p.signatureType ?? SignatureType.EOA,
      timestamp: BigInt(p.timestampMs ?? Date.now()),
      metadata: checkBytes32('metadata', p.metadata ?? ZERO_BYTES32),
      builder: checkBytes32('builder', p.builder ?? ZERO_BYTES32),
    },
    expiration: BigInt(p.expirationS ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Signing and recovery

export async function signOrder(
  account: LocalAccount,
  built: { order: OrderV2; expiration: bigint },
  opts: ExchangeOptions = {},
): Promise<SignedOrderV2> {
  if (getAddress(account.address) !== built.order.signer) {
    throw new PolymarketOrderInvalidError(`the account ${account.address} is not the order's signer ${built.order.signer}`);
  }
  const signature = await account.signTypedData(typedData(built.order, opts));
  return { order: built.order, expiration: built.expiration, signature };
}

/** The address whose key produced the signature (equal to `order.signer` when genuine). */
export function recoverOrderSigner(signed: SignedOrderV2, opts: ExchangeOptions = {}): Promise<Address> {
  return recoverTypedDataAddress({ ...typedData(signed.order, opts), signature: signed.signature });
}

/** The EIP-712 hash of the order: the venue's order id. */
export function orderHash(order: OrderV2, opts: ExchangeOptions = {}): Hex {
  return hashTypedData(typedData(order, opts));
}

// ---------------------------------------------------------------------------------------------
// Wire JSON

export interface OrderJson {
  salt: number;
  maker: string;
  signer: string;
  tokenId: string;
  makerAmount: string;
  takerAmount: string;
  side: PolySide;
  signatureType: number;
  timestamp: string;
  expiration: string;
  metadata: string;
  builder: string;
  signature: string;
}

export interface PostOrderBody {
  order: OrderJson;
  owner: string;
  orderType: PolyOrderType;
  postOnly: boolean;
  deferExec: boolean;
}

/** `salt` is a JSON number; amounts, tokenId and timestamp are strings. */
export function orderToJson(signed: SignedOrderV2): OrderJson {
  const o = signed.order;
  return {
    salt: Number(o.salt),
    maker: o.maker,
    signer: o.signer,
    tokenId: o.tokenId.toString(),
    makerAmount: o.makerAmount.toString(),
    takerAmount: o.takerAmount.toString(),
    side: o.side === 0 ? 'BUY' : 'SELL',
    signatureType: o.signatureType,
    timestamp: o.timestamp.toString(),
    expiration: signed.expiration.toString(),
    metadata: o.metadata,
    builder: o.builder,
    signature: signed.signature,
  };
}

export function postOrderBody(
  signed: SignedOrderV2,
  owner: string,
  orderType: PolyOrderType = 'GTC',
  flags: { postOnly?: boolean; deferExec?: boolean } = {},
): PostOrderBody {
  return { order: orderToJson(signed), owner, orderType, postOnly: flags.postOnly ?? false, deferExec: flags.deferExec ?? false };
}

function digits(o: Record<string, unknown>, key: string, path: string): bigint {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v !== 'string' || !/^\d{1,80}$/.test(v)) throw new PolymarketParseError(`${path}.${key}`, 'expected an unsigned integer');
  return BigInt(v);
}

function hexField(o: Record<string, unknown>, key: string, path: string, bytes?: number): Hex {
  const v = o[key];
  if (typeof v !== 'string' || !isHex(v) || (bytes !== undefined && v.length !== 2 + 2 * bytes)) {
    throw new PolymarketParseError(`${path}.${key}`, `expected ${bytes ?? 'some'} bytes of 0x hex`);
  }
  return v;
}

function addressField(o: Record<string, unknown>, key: string, path: string): Address {
  const v = o[key];
  if (typeof v !== 'string' || !isAddress(v, { strict: false })) throw new PolymarketParseError(`${path}.${key}`, 'expected an address');
  return getAddress(v);
}

/** Reads a signed order from its wire JSON (the venue side of POST /order). */
export function signedOrderFromJson(raw: unknown, path = 'order'): SignedOrderV2 {
  const o = asObject(raw, path);
  if (o.side !== 'BUY' && o.side !== 'SELL') throw new PolymarketParseError(`${path}.side`, 'expected "BUY" or "SELL"');
  const sigType = o.signatureType;
  if (typeof sigType !== 'number' || !Number.isInteger(sigType) || sigType < 0 || sigType > 3) {
    throw new PolymarketParseError(`${path}.signatureType`, 'expected 0, 1, 2 or 3');
  }
  return {
    order: {
      salt: digits(o, 'salt', path),
      maker: addressField(o, 'maker', path),
      signer: addressField(o, 'signer', path),
      tokenId: digits(o, 'tokenId', path),
      makerAmount: digits(o, 'makerAmount', path),
      takerAmount: digits(o, 'takerAmount', path),
      side: o.side === 'BUY' ? 0 : 1,
      signatureType: sigType,
      timestamp: digits(o, 'timestamp', path),
      metadata: hexField(o, 'metadata', path, 32),
      builder: hexField(o, 'builder', path, 32),
    },
    expiration: o.expiration === undefined ? 0n : digits(o, 'expiration', path),
    signature: hexField(o, 'signature', path),
  };
}

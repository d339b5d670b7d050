import { getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NEG_RISK_EXCHANGE_V2_ADDRESS, SignatureType } from './common.js';
import { PolymarketOrderInvalidError, PolymarketParseError } from './errors.js';
import {
  buildOrder,
  orderAmounts,
  orderDomain,
  orderHash,
  orderToJson,
  recoverOrderSigner,
  signedOrderFromJson,
  signOrder,
} from './order-signing.js';

const account = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';

describe('V2 order amounts', () => {
  it('BUY 100 at 0.82 pays 82 pUSD for 100 shares (the example in the Polymarket documentation)', () => {
    expect(orderAmounts('BUY', 0.82, 100, '0.01')).toEqual({ makerAmount: 82_000_000n, takerAmount: 100_000_000n });
    expect(orderAmounts('SELL', 0.82, 100, '0.01')).toEqual({ makerAmount: 100_000_000n, takerAmount: 82_000_000n });
  });

  it('rounds the size down to hundredths and keeps amounts exact', () => {
    expect(orderAmounts('BUY', 0.57, 12.349, '0.01')).toEqual({ makerAmount: 7_033_800n, takerAmount: 12_340_000n });
    expect(orderAmounts('BUY', 0.0123, 3.33, '0.0001')).toEqual({ makerAmount: 40_959n, takerAmount: 3_330_000n });
  });

  it('refuses prices off the tick or outside [tick, 1 - tick], and empty sizes', () => {
    expect(() => orderAmounts('BUY', 0.825, 10, '0.01')).toThrow(PolymarketOrderInvalidError);
    expect(() => orderAmounts('BUY', 0, 10, '0.01')).toThrow(PolymarketOrderInvalidError);
    expect(() => orderAmounts('BUY', 0.995, 10, '0.001')).not.toThrow();
    expect(() => orderAmounts('BUY', 1, 10, '0.01')).toThrow(PolymarketOrderInvalidError);
    expect(() => orderAmounts('BUY', 0.5, 0.001, '0.01')).toThrow(PolymarketOrderInvalidError);
  });

  it('collateral / shares equals the price for any tick-aligned order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 1_000_000 }), (cents, hundredths) => {
        const { makerAmount, takerAmount } = orderAmounts('BUY', cents / 100, hundredths / 100, '0.01');
        expect(makerAmount * 100n).toBe(takerAmount * BigInt(cents));
      }),
    );
  });
});

describe('V2 order signing', () => {
  const built = () =>
    buildOrder({ tokenId: TOKEN, side: 'BUY', price: 0.82, size: 100, tickSize: '0.01', signer: account.address, salt: 123456789n, timestampMs: 1762463041000 });

  it('signs with EIP-712 so that the signature recovers to the signer', async () => {
    const signed = await signOrder(account, built());
    expect(await recoverOrderSigner(signed)).toBe(account.address);
    expect(signed.order).toMatchObject({ side: 0, signatureType: SignatureType.EOA, maker: account.address, timestamp: 1762463041000n });
  });

  it('binds the signature to every signed field and to the exchange', async () => {
    const signed = await signOrder(account, built());
    const tampered = { ...signed, order: { ...signed.order, makerAmount: signed.order.makerAmount - 1n } };
    expect(await recoverOrderSigner(tampered)).not.toBe(account.address);
    expect(await recoverOrderSigner(signed, { negRisk: true })).not.toBe(account.address);
    const negRisk = await signOrder(account, built(), { negRisk: true });
    expect(orderDomain({ negRisk: true }).verifyingContract).toBe(NEG_RISK_EXCHANGE_V2_ADDRESS);
    expect(await recoverOrderSigner(negRisk, { negRisk: true })).toBe(account.address);
    // expiration travels unsigned
    expect(await recoverOrderSigner({ ...signed, expiration: 999n })).toBe(account.address);
  });

  it('round-trips through the wire JSON: salt a number, amounts and ids strings', async () => {
    const signed = await signOrder(account, built());
    const wire = orderToJson(signed);
    expect(wire).toMatchObject({ salt: 123456789, tokenId: TOKEN, makerAmount: '82000000', takerAmount: '100000000', side: 'BUY', timestamp: '1762463041000', expiration: '0' });
    const back = signedOrderFromJson(JSON.parse(JSON.stringify(wire)));
    expect(back).toEqual(signed);
    expect(orderHash(back.order)).toBe(orderHash(signed.order));
    expect(() => signedOrderFromJson({ ...wire, side: 'buy' })).toThrow(PolymarketParseError);
    expect(() => signedOrderFromJson({ ...wire, signer: 'nope' })).toThrow(PolymarketParseError);
  });

  it('refuses to sign for another signer', async () => {
    const other = buildOrder({ tokenId: TOKEN, side: 'SELL', price: 0.5, size: 5, tickSize: '0.01', signer: getAddress('0x70997970c51812dc3a010c7d01b50e0d17dc79c8') });
    await expect(signOrder(account, other)).rejects.toThrow(PolymarketOrderInvalidError);
  });
});

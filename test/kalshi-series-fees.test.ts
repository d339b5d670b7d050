/**
 * The Kalshi series fee check against the simulator over real HTTP: a series at the configured
 * quadratic rate trades; a higher multiplier, an event override or a fee type arbees does not
 * compute refuses the market with the reason, before an order is sent.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEES } from '../src/core/fees.js';
import type { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { KalshiHttpClient } from '../src/venues/kalshi/http.js';
import { parseSeriesFee } from '../src/venues/kalshi/parse.js';
import { KalshiSeriesFees } from '../src/venues/kalshi/series-fees.js';
import { nbaGame, startVenue } from './kalshi-helpers.js';

const BOS = 'KXNBAGAME-26NOV24BOSLAL-BOS';
const venues: KalshiSimVenue[] = [];
afterAll(async () => {
  for (const v of venues) await v.close();
});

async function check(seriesFee?: { feeType: string; feeMultiplier: number }): Promise<string | null> {
  const { venue, restUrl } = await startVenue(seriesFee ? { seriesFee } : {});
  venues.push(venue);
  venue.listGame(nbaGame());
  return new KalshiSeriesFees(new KalshiHttpClient({ baseUrl: restUrl }), DEFAULT_FEES.kalshi).problem(BOS);
}

describe('Kalshi series fees', () => {
  it('reads the documented series shape', () => {
    const raw = JSON.parse(readFileSync(new URL('../src/venues/kalshi/fixtures/good/series.json', import.meta.url), 'utf8')) as unknown;
    expect(parseSeriesFee(raw)).toEqual({ seriesTicker: 'KXNFLGAME', feeType: 'quadratic', feeMultiplier: 1 });
  });

  it('trades a quadratic series at the configured rate, maker-fee series included (IOC orders never pay the maker fee)', async () => {
    expect(await check()).toBeNull();
    expect(await check({ feeType: 'quadratic_with_maker_fees', feeMultiplier: 1 })).toBeNull();
    expect(await check({ feeType: 'quadratic', feeMultiplier: 0.5 })).toBeNull();
  });

  it('answers the executor without waiting: unknown at first (read in the background), then the cached verdict', async () => {
    const { venue, restUrl } = await startVenue({ seriesFee: { feeType: 'flat', feeMultiplier: 1 } });
    venues.push(venue);
    venue.listGame(nbaGame());
    const fees = new KalshiSeriesFees(new KalshiHttpClient({ baseUrl: restUrl }), DEFAULT_FEES.kalshi);
    expect(fees.verdict(BOS)).toBeUndefined();
    await expect.poll(() => fees.verdict(BOS), { timeout: 5_000 }).toMatch(/fee type flat/);
  });

  it('refuses a higher multiplier and a fee type it does not compute, with the reason', async () => {
    expect(await check({ feeType: 'quadratic', feeMultiplier: 1.5 })).toMatch(/charges 1050 bp \(multiplier 1.5\), above the 700 bp/);
    expect(await check({ feeType: 'flat', feeMultiplier: 1 })).toMatch(/fee type flat, which arbees does not compute/);
  });
});

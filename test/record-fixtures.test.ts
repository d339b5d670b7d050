/**
 * `npm run record:fixtures` against the simulators (the real venues need credentials): every
 * payload is written as received and every one parses with the clients' parsers, the
 * Polymarket probe order included.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { PolymarketSimVenue } from '../src/sim/polymarket/polymarket-sim-venue.js';
import { recordKalshiFixtures } from '../src/venues/kalshi/fixture-recorder.js';
import { recordPolymarketFixtures } from '../src/venues/polymarket/fixture-recorder.js';
import { simGame } from './helpers/polymarket-games.js';
import { makeKey, nbaGame, startVenue } from './kalshi-helpers.js';

const out = mkdtempSync(path.join(tmpdir(), 'arbees-record-'));
const cleanups: (() => Promise<void> | void)[] = [() => rmSync(out, { recursive: true, force: true })];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('record:fixtures', () => {
  it('records Polymarket REST, WS and a probe order reply, all parsed', async () => {
    const venue = new PolymarketSimVenue({ seed: 'record-test' });
    cleanups.push(() => venue.close());
    const { clobUrl, gammaUrl, wsUrl } = await venue.start();
    const game = venue.listGame(simGame('nba-rec', 'nba', 'BOS', 'LAL', '2026-11-24T03:00:00Z'));
    venue.setMakerQuotes(game.tokens[0]!.tokenId, { yesBids: [[0.4, 100]], yesAsks: [[0.42, 100]] });
    const account = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
    const credentials = venue.registerApiKey({ address: account.address, collateralUsd: 10 });
    const summary = await recordPolymarketFixtures({ clobUrl, gammaUrl, wsUrl, outDir: out, wsSeconds: 1, credentials, account, probe: true });
    expect(Object.keys(summary).sort()).toEqual(['gamma-markets.json', 'rest-book.json', 'rest-clob-market.json', 'rest-open-order.json', 'rest-order-response.json', 'ws-frames.jsonl']);
    expect(Object.values(summary).every((v) => v === 'parsed')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'polymarket', 'rest-order-response.json'), 'utf8'))).toMatchObject({ success: true, status: 'unmatched' });
    expect(readFileSync(path.join(out, 'polymarket', 'ws-frames.jsonl'), 'utf8')).toMatch(/"event_type":"book"/);
    expect(readFileSync(path.join(out, 'polymarket', 'rest-order-response.json'), 'utf8')).not.toMatch(credentials.secret);
  });

  it('records Kalshi REST, private pages and WS frames, all parsed', async () => {
    const { venue, restUrl, wsUrl } = await startVenue();
    cleanups.push(() => venue.close());
    const key = makeKey('record-key');
    venue.registerKey(key.keyId, key.publicKeyPem);
    venue.listGame(nbaGame());
    venue.setMakerQuotes('KXNBAGAME-26NOV24BOSLAL-BOS', { yesBids: [[0.44, 100]], yesAsks: [[0.46, 100]] });
    const summary = await recordKalshiFixtures({ restUrl, wsUrl, outDir: out, series: 'KXNBAGAME', wsSeconds: 1, signer: key.signer });
    expect(summary).toEqual({
      'markets-page.json': 'parsed', 'market.json': 'parsed', 'orderbook.json': 'parsed', 'event.json': 'parsed',
      'balance.json': 'parsed', 'orders.json': 'parsed', 'fills.json': 'parsed', 'ws-frames.jsonl': 'parsed',
    });
    expect(readFileSync(path.join(out, 'kalshi', 'ws-frames.jsonl'), 'utf8')).toMatch(/orderbook_snapshot/);
    expect(existsSync(path.join(out, 'kalshi', 'summary.json'))).toBe(true);
  });
});

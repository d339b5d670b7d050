/**
 * At most once across restarts, with real processes: execution_service runs as a child process
 * (`cli.js run execution_service`, sim mode) trading on KalshiSimVenue, signals stream in (each
 * one twice), and the process is killed with SIGKILL while orders, arbitrage legs included, are
 * in flight. A new process rebuilds its state from Redis, reconciles the orders that were in
 * flight from the venue's own records, and is then sent every signal again, twice. Counted at
 * the venue: no order was ever sent twice, and every position equals the fills recorded in
 * trades:completed (nothing lost, nothing doubled). Also: live mode without its two opt-ins
 * refuses to start (exit code 78, the variable named).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TradeSignal } from '../src/core/messages.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import type { SimAccount } from '../src/sim/kalshi/sim-account.js';
import { eventually } from './helpers/redis.js';
import { makeKey, nbaGame } from './kalshi-helpers.js';
import { arbSignal, buildCli, ExecHarness, kill9, modelSignal, OrderReplyDelayProxy, spawnExec } from './execution-harness.js';

const h = new ExecHarness();
let build: { buildDir: string; cli: string };
let kalshi: KalshiSimVenue;
let proxy: OrderReplyDelayProxy;
let account: SimAccount;
let childEnv: Record<string, string>;
const children: ChildProcess[] = [];
const stderr: string[] = [];
const games = Array.from({ length: 12 }, (_, i) => nbaGame(`g-rs-${h.uid}-${i}`));
const markets: [string, string][] = [];

beforeAll(async () => {
  build = buildCli();
  kalshi = new KalshiSimVenue({ seed: 11 });
  const { restUrl } = await kalshi.start();
  proxy = new OrderReplyDelayProxy(new URL(restUrl).origin);
  const proxyUrl = await proxy.start();
  const key = makeKey(`rs-${h.uid}`);
  account = kalshi.registerKey(key.keyId, key.publicKeyPem);
  const keyPath = path.join(h.dataDir, 'kalshi.pem');
  writeFileSync(keyPath, key.privateKeyPem);
  for (const g of games) {
    const [home, away] = kalshi.listGame(g);
    markets.push([home!, away!]);
    kalshi.setMakerQuotes(home!, { yesBids: [[0.43, 1000]], yesAsks: [[0.45, 1000]] });
    kalshi.setMakerQuotes(away!, { yesBids: [[0.43, 1000]], yesAsks: [[0.45, 1000]] });
  }
  await h.startSource();
  childEnv = h.env({
    EXEC_MODE: 'sim',
    LOG_LEVEL: 'warn',
    KALSHI_REST_URL: `${proxyUrl}/trade-api/v2`,
    KALSHI_API_KEY: key.keyId,
    KALSHI_PRIVATE_KEY_PATH: keyPath,
    POLYMARKET_CLOB_URL: 'http://127.0.0.1:9',
    EXEC_ORDER_TIMEOUT_MS: '5000',
    EXEC_RECONCILE_INTERVAL_MS: '200',
    EXEC_RECONCILE_GRACE_MS: '1500',
    EXEC_MAX_ORDERS_PER_WINDOW: '100000',
    EXEC_MAX_TOTAL_USD: '100000',
    EXEC_MAX_SPORT_USD: '100000',
  });
}, 180_000);

afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c);
});

afterAll(async () => {
  for (const c of children.splice(0)) await kill9(c);
  await h.close();
  await proxy?.close();
  await kalshi?.close();
  if (build) rmSync(build.buildDir, { recursive: true, force: true });
});

function start(instance: string, extra: Record<string, string> = {}): ChildProcess {
  const child = spawnExec(build.cli, { ...childEnv, ARBEES_INSTANCE: instance, ...extra }, stderr);
  children.push(child);
  return child;
}

function books(): void {
  for (const [i, [home, away]] of markets.entries()) {
    h.publishBook('kalshi', home, [[0.43, 1000]], [[0.45, 1000]], games[i]!.id);
    h.publishBook('kalshi', away, [[0.43, 1000]], [[0.45, 1000]], games[i]!.id);
  }
}

/** Even games: one leg (YES home); odd games: an arbitrage (YES home + YES away pays 1 whoever wins). */
function signals(): TradeSignal[] {
  return games.map((g, i) => {
    const [home, away] = markets[i]!;
    if (i % 2 === 0) return { ...modelSignal({ id: `rs-${h.uid}-${i}`, marketId: home, yesPrice: 0.45, contracts: 4, modelProb: null }), game_id: g.id };
    const arb = arbSignal({ id: `rs-${h.uid}-${i}`, yes: { venue: 'kalshi', marketId: home, yesPrice: 0.45 }, no: { venue: 'kalshi', marketId: away, yesPrice: 0.45 }, contracts: 4 });
    return { ...arb, game_id: g.id, legs: [arb.legs[0]!, { ...arb.legs[1]!, side: 'yes' as const, yes_price: 0.45 }] };
  });
}

const position = (ticker: string) => account.positions.get(ticker)?.contracts ?? 0;

describe('idempotency across a kill -9', () => {
  it('never sends an order twice and books every fill exactly once, arbitrages included', async () => {
    const all = signals();
    const a = start(`ra${h.uid}`);
    books();
    await h.waitConnected(`ra${h.uid}`);
    books();
    await new Promise((r) => setTimeout(r, 100));
    // Replies take 400 ms, so orders are in flight when the process dies.
    proxy.delayOrderRepliesMs = 400;
    for (const [i, s] of all.entries()) {
      h.publishSignal(s);
      h.publishSignal(s);
      await new Promise((r) => setTimeout(r, 40));
      if (i === 6) break;
    }
    await eventually(() => proxy.orderIds.length >= 5, 10_000, 'orders in flight');
    await kill9(a);
    const sentBeforeKill = proxy.orderIds.length;
    proxy.delayOrderRepliesMs = 0;

    const b = start(`rb${h.uid}`);
    books();
    await h.waitConnected(`rb${h.uid}`);
    books();
    await new Promise((r) => setTimeout(r, 100));
    for (const s of all) {
      h.publishSignal(s);
      h.publishSignal(s);
    }
    const ids = all.map((s) => s.signal_id);
    await eventually(
      async () => {
        const trades = (await h.streamTrades()).map((t) => t.trade);
        const primaries = ids.filter((id) => trades.some((t) => t.trade_id === id));
        const inFlight = await h.redis.scard(`${h.prefix}exec:in_flight`);
        return primaries.length === ids.length && inFlight === 0;
      },
      30_000,
      'every signal decided and nothing left in flight',
    );
    expect(b.exitCode).toBeNull();

    // No order was sent twice: the restarted process reconciled, it did not resend.
    expect(new Set(proxy.orderIds).size).toBe(proxy.orderIds.length);
    expect(sentBeforeKill).toBeGreaterThanOrEqual(5);
    // At most one order per leg of every signal (arbitrage unwinds would add sells; none are needed here).
    expect(proxy.orderIds.length).toBeLessThanOrEqual(all.reduce((s, x) => s + x.legs.length, 0));

    const trades = (await h.streamTrades()).map((t) => t.trade);
    for (const [i, [home, away]] of markets.entries()) {
      for (const ticker of [home, away]) {
        let net = 0;
        for (const t of trades) for (const f of t.fills) if (f.market_id === ticker) net += f.action === 'buy' ? f.contracts : -f.contracts;
        expect(net, `${ticker} (game ${i})`).toBe(position(ticker));
      }
    }
    // Every signal executed at most once (4 contracts per leg), whichever process did it. One the dead
    // process had claimed but not yet sent stays closed as EXEC_INTERRUPTED: re-deliveries do not revive it.
    // An arbitrage whose second order never reached the venue (the process died while writing it)
    // is one leg short: its filled leg is sold back (one_short_unwound), leaving nothing open.
    const executed = new Set<number>();
    for (const [i, s] of all.entries()) {
      const mine = trades.filter((t) => t.source_id === s.signal_id);
      const fills = mine.flatMap((t) => t.fills);
      const [home, away] = markets[i]!;
      const traded = (ticker: string, action: 'buy' | 'sell') => fills.filter((f) => f.market_id === ticker && f.action === action).reduce((n, f) => n + f.contracts, 0);
      const [homeBought, awayBought, homeSold, awaySold] = [traded(home, 'buy'), traded(away, 'buy'), traded(home, 'sell'), traded(away, 'sell')];
      if (homeBought === 0 && awayBought === 0) {
        expect(homeSold + awaySold, s.signal_id).toBe(0);
        // Claimed but not sent: interrupted. Sent as the process died: unknown, then reconciled as
        // never having reached the venue.
        const primary = mine.find((t) => t.trade_id === s.signal_id)!.reason ?? '';
        if (!primary.startsWith('EXEC_INTERRUPTED')) {
          expect(primary, s.signal_id).toMatch(/^EXEC_ORDER_UNKNOWN/);
          expect(mine.some((t) => t.trade_id !== s.signal_id && /never reached Kalshi/.test(t.reason ?? '')), `${s.signal_id}: ${mine.map((t) => t.reason).join(' | ')}`).toBe(true);
        }
        continue;
      }
      executed.add(i);
      const unwound = i % 2 === 1 && (homeBought === 0 || awayBought === 0);
      if (unwound) {
        expect(homeBought + awayBought, s.signal_id).toBe(4);
        expect(homeSold + awaySold, `${s.signal_id} sold back`).toBe(4);
        expect(homeBought - homeSold, s.signal_id).toBe(0);
        expect(mine.some((t) => t.reason?.startsWith('one_short_unwound')), s.signal_id).toBe(true);
        continue;
      }
      expect(homeSold + awaySold, s.signal_id).toBe(0);
      expect(homeBought, s.signal_id).toBe(4);
      expect(awayBought, s.signal_id).toBe(i % 2 === 0 ? 0 : 4);
    }
    // Only the first seven signals reached the dead process; the rest were all executed by the new one.
    for (let i = 7; i < all.length; i++) expect(executed.has(i), all[i]!.signal_id).toBe(true);
    expect(executed.size).toBeGreaterThan(all.length / 2);
    // The duplicates (both runs) were recorded as such.
    expect(trades.filter((t) => t.reason?.startsWith('EXEC_DUPLICATE')).length).toBeGreaterThanOrEqual(all.length);
    const audit = await h.audit();
    const recovered = audit.filter((x) => x.event === 'recovered_after_restart').length;
    expect(recovered).toBeGreaterThan(0);
    console.log(`restart: ${sentBeforeKill} orders sent before the kill, ${recovered} decisions recovered in flight, ${trades.filter((t) => /-r\d+$/.test(t.trade_id)).length} reconciled follow-ups, ${proxy.orderIds.length} orders in total, none twice`);
  }, 120_000);
});

describe('live mode needs two opt-ins', () => {
  it('refuses to start without ARBEES_LIVE_TRADING, then without ARBEES_LIVE_CONFIRM: exit 78 naming the variable', async () => {
    const run = async (extra: Record<string, string>): Promise<{ code: number | null; err: string }> => {
      const out: string[] = [];
      const c = spawnExec(build.cli, { ...childEnv, ARBEES_INSTANCE: `lv${h.uid}`, EXEC_MODE: 'live', ...extra }, out);
      children.push(c);
      const code = await new Promise<number | null>((r) => c.once('exit', (n) => r(n)));
      return { code, err: out.join('') };
    };
    const none = await run({});
    expect(none.code).toBe(78);
    expect(none.err).toMatch(/ARBEES_LIVE_TRADING must be true for EXEC_MODE=live/);
    const one = await run({ ARBEES_LIVE_TRADING: 'true', ARBEES_LIVE_CONFIRM: 'yes' });
    expect(one.code).toBe(78);
    expect(one.err).toMatch(/ARBEES_LIVE_CONFIRM must be exactly I_UNDERSTAND_REAL_MONEY/);
  }, 60_000);
});
afterAll(() => {
  if (stderr.length > 0) console.log(stderr.join('').slice(0, 3000));
});

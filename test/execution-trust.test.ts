/**
 * Trusted sources (issue 15, point 4), over real ZMQ sockets and a real Redis: strangers that got
 * themselves into the registry publish valid-looking trade signals at execution_service, which
 * must not trade on any of them, and must count and audit each. Strangers: a foreign publisher
 * (unsigned), one that claims the legit shard's `src` and signs with a key of its own, one
 * holding the real key whose signature no longer matches what it sends (bad MAC), and a service
 * of the system (real key, valid MAC) whose role may not send trade signals. The legit source
 * (signing with the data dir's bus key) is traded, even on a signal id a stranger used first.
 * Then live mode (both opt-ins, real orders to the Kalshi simulator behind a proxy that records
 * them): unsigned signals reach no venue, a signed one fills; EXEC_SIGNAL_AUTH=off is refused.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvelopeSigner, type BusKeys } from '../src/bus/envelope-signer.js';
import { RedisPublisher } from '../src/bus/redis-publisher.js';
import { ZmqPublisher } from '../src/bus/zmq-publisher.js';
import { registerInstance } from '../src/bus/registry.js';
import { ConfigError } from '../src/core/errors.js';
import type { TradeSignal } from '../src/core/messages.js';
import { nowMicros } from '../src/core/time.js';
import { Topic } from '../src/core/topics.js';
import { busKeyId, ensureBusKey } from '../src/runtime/bus-key.js';
import { defineService, startService, type RunningService } from '../src/runtime/service.js';
import { executionService } from '../src/services/execution-service/execution-service.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { ExecHarness, modelSignal, OrderReplyDelayProxy } from './execution-harness.js';
import { eventually, TEST_REDIS_URL } from './helpers/redis.js';
import { makeKey, nbaGame } from './kalshi-helpers.js';

/** A publisher outside the system: its own socket, registered in the registry by hand. */
class Stranger {
  private timer: NodeJS.Timeout | null = null;
  private constructor(
    readonly pub: ZmqPublisher,
    private readonly h: ExecHarness,
    private readonly service: string,
    private readonly instance: string,
  ) {}

  static async start(h: ExecHarness, service: string, instance: string, src: string, signer: EnvelopeSigner['sign'] | null): Promise<Stranger> {
    const pub = await ZmqPublisher.create({ src, bindAddress: 'tcp://127.0.0.1:*', ...(signer ? { signer: { sign: signer } } : {}) });
    const s = new Stranger(pub, h, service, instance);
    await s.register();
    s.timer = setInterval(() => void s.register(), 200);
    return s;
  }

  private register(): Promise<void> {
    const ts = nowMicros();
    return registerInstance(this.h.redis, { service: this.service, instance: this.instance, status: 'healthy', pid: process.pid, host: 'elsewhere', started_ts: ts, endpoints: [this.pub.endpoint!], metrics: {}, ts }, 1_000);
  }

  publish(signal: TradeSignal): void {
    this.pub.publish(Topic.tradeSignal(signal.signal_id), 'trade_signal', signal);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pub.close();
  }
}

function otherKeys(): BusKeys {
  const secret = Buffer.from(randomBytes(32).toString('base64url'));
  return { current: { id: busKeyId(secret), secret }, previous: null, source: 'elsewhere' };
}

describe('paper mode: only authenticated signals from allowed roles are traded', () => {
  const h = new ExecHarness();
  const fake = `fake_${h.uid}`;
  const intruderName = `intruder_${h.uid}`;
  const strangers: Stranger[] = [];
  let intruder: RunningService;
  const market = `KXTRUST-${h.uid}`;

  beforeAll(async () => {
    await h.startSource();
    const realKeys = ensureBusKey(h.dataDir);
    const real = new EnvelopeSigner(realKeys);
    const other = new EnvelopeSigner(otherKeys());
    strangers.push(
      // Unsigned, its own role.
      await Stranger.start(h, fake, '0', `${fake}.0`, null),
      // Unsigned, claims to be the legit source.
      await Stranger.start(h, fake, '3', `${h.sourceName}.evil3`, null),
      // Claims to be the legit source, signs with a key the system does not have.
      await Stranger.start(h, fake, '1', `${h.sourceName}.evil`, (t, e) => other.sign(t, e)),
      // Claims to be the legit source, holds the real key, but alters the signal after signing (a MAC that does not match).
      await Stranger.start(h, fake, '2', `${h.sourceName}.evil2`, (t, e) => {
        real.sign(t, e);
        (e.data as TradeSignal).legs[0]!.contracts = 50;
      }),
    );
    // A member of the system (same data dir, so the real key and a valid MAC) whose role may not send trade signals.
    intruder = await startService(defineService({ name: intruderName, description: 'a service of the system that is not a shard', start: async (ctx) => void (await ctx.publisher()) }), h.env({ ARBEES_INSTANCE: `i${h.uid}` }));
    await h.startExec({ EXEC_SOURCE_SERVICES: `${h.sourceName},${fake},${intruderName}`, EXEC_BANKROLL_USD: '1000' });
    h.publishBook('kalshi', market, [[0.4, 500]], [[0.42, 500]]);
  }, 60_000);

  afterAll(async () => {
    for (const s of strangers) await s.close();
    await intruder?.stop();
    await h.close();
  });

  /** Publishes fresh signals from `send` until the service has counted one as `problem`; returns the ids sent. */
  async function untilRejected(problem: string, send: (s: TradeSignal) => void): Promise<string[]> {
    const ids: string[] = [];
    const before = h.exec!.ctx.metrics.get(`untrusted.${problem}`);
    await eventually(
      () => {
        const s = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
        ids.push(s.signal_id);
        send(s);
        return h.exec!.ctx.metrics.get(`untrusted.${problem}`) > before;
      },
      15_000,
      `a ${problem} rejection`,
    );
    return ids;
  }

  it('rejects each stranger: no order, no trade record, counted by problem, audited with its reason code', async () => {
    const sent: Record<string, string[]> = {
      foreign: await untilRejected('untrusted_source', (s) => strangers[0]!.publish(s)),
      unsigned: await untilRejected('unsigned', (s) => strangers[1]!.publish(s)),
      unknown_key: await untilRejected('unknown_key', (s) => strangers[2]!.publish(s)),
      bad_mac: await untilRejected('bad_mac', (s) => strangers[3]!.publish(s)),
      untrusted_source: await untilRejected('untrusted_source', (s) => void intruder.ctx.publisher().then((p) => p.publish(Topic.tradeSignal(s.signal_id), 'trade_signal', s))),
    };
    // A legit signal after all of them is traded: the service was listening the whole time.
    const legit = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(legit);
    expect(await h.waitTrade(legit.signal_id)).toMatchObject({ status: 'filled', mode: 'paper' });

    const all = Object.values(sent).flat();
    const recorded = (await h.streamTrades()).map((t) => t.trade.source_id);
    expect(recorded.filter((id) => all.includes(id))).toEqual([]);
    const m = h.exec!.ctx.metrics;
    expect(m.get('signals_received')).toBe(1); // only the legit one reached the decision loop
    expect(m.get('signals_untrusted')).toBe(['unsigned', 'unknown_key', 'bad_mac', 'untrusted_source'].reduce((n, p) => n + m.get(`untrusted.${p}`), 0));
    expect(h.exec!.ctx.metrics.snapshot()['exec.open_positions']).toBe(1);

    await eventually(async () => (await h.audit()).filter((a) => a.event === 'signal_untrusted').length >= 5, 5_000, 'audit entries');
    const audited = (await h.audit()).filter((a) => a.event === 'signal_untrusted');
    const reasonOf = (id: string) => audited.find((a) => a.source_id === id)?.reason ?? '';
    expect(reasonOf(sent.foreign!.at(-1)!)).toMatch(new RegExp(`^EXEC_UNTRUSTED_SOURCE: publisher "${fake}\\.0"`));
    expect(reasonOf(sent.unsigned!.at(-1)!)).toMatch(/^EXEC_UNAUTHENTICATED: unsigned/);
    expect(reasonOf(sent.unknown_key!.at(-1)!)).toMatch(/^EXEC_UNAUTHENTICATED: unknown_key/);
    expect(reasonOf(sent.bad_mac!.at(-1)!)).toMatch(/^EXEC_UNAUTHENTICATED: bad_mac/);
    expect(reasonOf(sent.untrusted_source!.at(-1)!)).toMatch(new RegExp(`^EXEC_UNTRUSTED_SOURCE: publisher "${intruderName}\\.`));
    expect(JSON.parse(audited.find((a) => a.source_id === sent.unsigned!.at(-1))!.data!)).toMatchObject({ src: `${h.sourceName}.evil3` });
  });

  it('a stranger cannot burn a signal id: the legit signal with an id a stranger used first is still traded', async () => {
    const s = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 3, modelProb: null });
    const before = h.exec!.ctx.metrics.get('untrusted.unsigned');
    strangers[1]!.publish(s);
    await eventually(() => h.exec!.ctx.metrics.get('untrusted.unsigned') > before, 5_000, 'the stranger rejected');
    const cause = h.publishSignal(s);
    const trade = await h.waitTrade(s.signal_id);
    expect(trade).toMatchObject({ trade_id: s.signal_id, status: 'filled' });
    // The one decision on this id is the legit envelope's (the stranger's made none).
    const entries = (await h.streamTrades()).filter((t) => t.trade.source_id === s.signal_id);
    expect(entries.map((e) => e.fields.cause)).toEqual([cause]);
  });

  it('registry entries carry the role and the key id the instance signs with', async () => {
    const raw = await h.redis.get(`registry:execution_service:${h.instance}`);
    const entry = JSON.parse(raw!) as { role?: string; key_id?: string };
    expect(entry.role).toBe('execution_service');
    expect(entry.key_id).toBe(ensureBusKey(h.dataDir).current.id);
  });
});

describe('default subscription: publishers registered under another role are not even heard', () => {
  const h = new ExecHarness();
  let stranger: Stranger;

  beforeAll(async () => {
    await h.startSource();
    stranger = await Stranger.start(h, `fakepub_${h.uid}`, '0', `fakepub_${h.uid}.0`, null);
    // EXEC_SOURCE_SERVICES unset: the signal subscriber follows the registry entries of the allowed roles only.
    await h.startExec({ EXEC_SOURCE_SERVICES: '' });
  }, 60_000);

  afterAll(async () => {
    await stranger?.close();
    await h.close();
  });

  it('a fake registry entry pointing at a foreign publisher gets nothing through, while the legit source trades', async () => {
    const market = `KXDEF-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 500]], [[0.42, 500]]);
    await new Promise((r) => setTimeout(r, 100));
    const ids: string[] = [];
    const deadline = Date.now() + 1_500;
    while (Date.now() < deadline) {
      const s = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
      ids.push(s.signal_id);
      stranger.publish(s);
      await new Promise((r) => setTimeout(r, 50));
    }
    const legit = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(legit);
    expect(await h.waitTrade(legit.signal_id)).toMatchObject({ status: 'filled' });
    expect((await h.streamTrades()).filter((t) => ids.includes(t.trade.source_id))).toEqual([]);
    expect(h.exec!.ctx.metrics.get('signals_received')).toBe(1);
    // Not rejected either: never heard (the subscriber did not connect to it).
    expect(h.exec!.ctx.metrics.get('signals_untrusted')).toBe(0);
  });
});

describe('Redis pub/sub hot transport: the same MAC, the same gate', () => {
  const h = new ExecHarness();
  h.extraEnv = { ARBEES_HOT_TRANSPORT: 'redis' };
  let stranger: RedisPublisher;

  beforeAll(async () => {
    await h.startSource();
    // No registry to go through: anyone who can PUBLISH on the Redis reaches the subscriber.
    stranger = new RedisPublisher({ src: `${h.sourceName}.x`, redisUrl: TEST_REDIS_URL });
    h.exec = await startService(executionService, h.env({ ARBEES_INSTANCE: h.instance }));
  }, 60_000);

  afterAll(async () => {
    await stranger?.close();
    await h.close();
  });

  it('refuses an unsigned signal published straight on Redis; trades the signed one', async () => {
    const market = `KXRDS-${h.uid}`;
    const ids: string[] = [];
    await eventually(
      () => {
        h.publishBook('kalshi', market, [[0.4, 500]], [[0.42, 500]]);
        const s = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
        ids.push(s.signal_id);
        stranger.publish(Topic.tradeSignal(s.signal_id), 'trade_signal', s);
        return h.exec!.ctx.metrics.get('untrusted.unsigned') > 0;
      },
      15_000,
      'an unsigned signal over Redis rejected',
    );
    const legit = modelSignal({ marketId: market, yesPrice: 0.45, contracts: 5, modelProb: null });
    h.publishSignal(legit);
    expect(await h.waitTrade(legit.signal_id)).toMatchObject({ status: 'filled' });
    expect((await h.streamTrades()).filter((t) => ids.includes(t.trade.source_id))).toEqual([]);
  });
});

describe('live mode (both opt-ins) on the Kalshi simulator', () => {
  const h = new ExecHarness();
  let kalshi: KalshiSimVenue;
  let proxy: OrderReplyDelayProxy;
  let stranger: Stranger;
  let venueEnv: Record<string, string>;
  let ticker: string;

  beforeAll(async () => {
    kalshi = new KalshiSimVenue({ seed: 5 });
    const { restUrl } = await kalshi.start();
    proxy = new OrderReplyDelayProxy(new URL(restUrl).origin);
    const url = await proxy.start();
    const key = makeKey(`trust-${h.uid}`);
    kalshi.registerKey(key.keyId, key.publicKeyPem);
    const keyPath = path.join(h.dataDir, 'kalshi.pem');
    writeFileSync(keyPath, key.privateKeyPem);
    ticker = kalshi.listGame(nbaGame(`g-trust-${h.uid}`))[0]!;
    kalshi.setMakerQuotes(ticker, { yesBids: [[0.4, 100]], yesAsks: [[0.42, 100]] });
    // Real orders to the (simulated) venue: the two opt-ins and a Kalshi key; Polymarket has no key, so it refuses its orders.
    venueEnv = {
      EXEC_MODE: 'live',
      ARBEES_LIVE_TRADING: 'true',
      ARBEES_LIVE_CONFIRM: 'I_UNDERSTAND_REAL_MONEY',
      KALSHI_REST_URL: `${url}/trade-api/v2`,
      KALSHI_API_KEY: key.keyId,
      KALSHI_PRIVATE_KEY_PATH: keyPath,
      POLYMARKET_CLOB_URL: url,
    };
    await h.startSource();
    // Claims the legit source's role; unsigned.
    stranger = await Stranger.start(h, `fake_${h.uid}`, '0', `${h.sourceName}.9`, null);
    await h.startExec({ ...venueEnv, EXEC_SOURCE_SERVICES: `${h.sourceName},fake_${h.uid}` });
  }, 60_000);

  afterAll(async () => {
    await stranger?.close();
    await h.close();
    await proxy?.close();
    await kalshi?.close();
  });

  it('refuses unsigned signals claiming a shard role (no order reaches the venue); trades a signed one', async () => {
    h.publishBook('kalshi', ticker, [[0.4, 100]], [[0.42, 100]]);
    await new Promise((r) => setTimeout(r, 150));
    const ids: string[] = [];
    await eventually(
      () => {
        const s = modelSignal({ marketId: ticker, yesPrice: 0.42, contracts: 5, modelProb: null });
        ids.push(s.signal_id);
        stranger.publish(s);
        return h.exec!.ctx.metrics.get('untrusted.unsigned') > 0;
      },
      15_000,
      'the unsigned signal rejected',
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(proxy.orderIds).toEqual([]);
    expect((await h.streamTrades()).filter((x) => ids.includes(x.trade.source_id))).toEqual([]);
    const legit = modelSignal({ marketId: ticker, yesPrice: 0.42, contracts: 5, modelProb: null });
    h.publishSignal(legit);
    const t = await h.waitTrade(legit.signal_id);
    expect(t).toMatchObject({ mode: 'live', status: 'filled' });
    expect(t.fills.reduce((n, f) => n + f.contracts, 0)).toBe(5);
    expect(proxy.orderIds).toHaveLength(1);
    expect(h.exec!.ctx.metrics.get('signals_received')).toBe(1);
  });

  it('will not start in live mode with EXEC_SIGNAL_AUTH=off', async () => {
    const err = await startService(executionService, h.env({ ...venueEnv, ARBEES_INSTANCE: `${h.instance}off`, EXEC_SIGNAL_AUTH: 'off' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('EXEC_SIGNAL_AUTH');
  });
});

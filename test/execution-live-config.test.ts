/**
 * Live trading is opt-in twice, and a dry run stops before signing: the service refuses to start
 * in live mode unless ARBEES_LIVE_TRADING=true AND ARBEES_LIVE_CONFIRM=I_UNDERSTAND_REAL_MONEY
 * (a config error naming the missing one); with both and EXEC_DRY_RUN=true it runs the whole
 * decision path, logs what it would send, and sends nothing (a venue behind a recording proxy
 * sees no request).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/core/errors.js';
import { startService } from '../src/runtime/service.js';
import { executionService } from '../src/services/execution-service/execution-service.js';
import { checkLiveOptIns } from '../src/services/execution-service/execution-service-config.js';
import { KalshiSimVenue } from '../src/sim/kalshi/kalshi-sim-venue.js';
import { ExecHarness, modelSignal, OrderReplyDelayProxy } from './execution-harness.js';

describe('live opt-ins', () => {
  it('paper and sim need none; live needs both, and the error names the one missing', () => {
    expect(() => checkLiveOptIns({ mode: 'paper', liveTrading: false, liveConfirm: '' })).not.toThrow();
    expect(() => checkLiveOptIns({ mode: 'sim', liveTrading: false, liveConfirm: '' })).not.toThrow();
    expect(() => checkLiveOptIns({ mode: 'live', liveTrading: false, liveConfirm: 'I_UNDERSTAND_REAL_MONEY' })).toThrow(/ARBEES_LIVE_TRADING/);
    expect(() => checkLiveOptIns({ mode: 'live', liveTrading: true, liveConfirm: 'i_understand_real_money' })).toThrow(/ARBEES_LIVE_CONFIRM/);
    expect(() => checkLiveOptIns({ mode: 'live', liveTrading: true, liveConfirm: 'I_UNDERSTAND_REAL_MONEY' })).not.toThrow();
  });

  it('startService rejects live mode with one opt-in with a ConfigError and leaves nothing registered', async () => {
    const h = new ExecHarness();
    try {
      const err = await startService(executionService, h.env({ ARBEES_INSTANCE: h.instance, EXEC_MODE: 'live', ARBEES_LIVE_TRADING: 'true' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('ARBEES_LIVE_CONFIRM');
      // The registry entry (written at start) is withdrawn as stopping: nobody mistakes it for a live instance.
      const entry = await h.redis.get(`registry:execution_service:${h.instance}`);
      if (entry !== null) expect(JSON.parse(entry)).toMatchObject({ status: 'stopping', endpoints: [] });
    } finally {
      await h.close();
    }
  });
});

describe('dry run in live mode', () => {
  const h = new ExecHarness();
  let kalshi: KalshiSimVenue;
  let proxy: OrderReplyDelayProxy;

  beforeAll(async () => {
    kalshi = new KalshiSimVenue({ seed: 3 });
    const { restUrl } = await kalshi.start();
    proxy = new OrderReplyDelayProxy(new URL(restUrl).origin);
    const url = await proxy.start();
    await h.startSource();
    await h.startExec({
      EXEC_MODE: 'live',
      ARBEES_LIVE_TRADING: 'true',
      ARBEES_LIVE_CONFIRM: 'I_UNDERSTAND_REAL_MONEY',
      EXEC_DRY_RUN: 'true',
      KALSHI_REST_URL: `${url}/trade-api/v2`,
      POLYMARKET_CLOB_URL: `${url}`,
    });
  }, 60_000);

  afterAll(async () => {
    await h.close();
    await proxy?.close();
    await kalshi?.close();
  });

  it('decides, logs the order it would send, records EXEC_DRY_RUN, and sends nothing', async () => {
    const market = `KXDRY-${h.uid}`;
    h.publishBook('kalshi', market, [[0.4, 50]], [[0.42, 50]]);
    await new Promise((r) => setTimeout(r, 150));
    const signal = modelSignal({ marketId: market, yesPrice: 0.42, contracts: 5, modelProb: null });
    h.publishSignal(signal);
    const t = await h.waitTrade(signal.signal_id);
    expect(t).toMatchObject({ mode: 'live', status: 'rejected', fills: [] });
    expect(t.reason).toMatch(/^EXEC_DRY_RUN: would send buy 5 yes kalshi:KXDRY-/);
    expect(proxy.orderIds).toEqual([]);
    // The reservation was released: nothing is tied up by an order that never went out.
    const snapshot = h.exec!.ctx.metrics.snapshot();
    expect(snapshot['exec.reserved_cc']).toBe(0);
  });
});

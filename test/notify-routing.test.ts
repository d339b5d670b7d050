/**
 * Routing without I/O: the defaults one variable needs, NOTIFY_ROUTES per event type and
 * channel (on / off / digest), thresholds, quiet hours in a time zone driven by a fake clock
 * (held, then one digest at the end), critical alerts bypassing them; and the alert texts
 * (PAPER / LIVE, short, one line).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HealthAlert, Position, TradeCompleted, TradeSignal } from '../src/core/messages.js';
import { ConfigError } from '../src/core/errors.js';
import { loadConfig } from '../src/runtime/config.js';
import { channelProblems, notifyConfigSpec } from '../src/services/notification-service/notification-service-config.js';
import { eventFromMessage, formatDollars, type EventContext, type NotifyEvent } from '../src/services/notification-service/notify-events.js';
import { parseQuietHours, QuietHours } from '../src/services/notification-service/quiet-hours.js';
import { parseRoutes, Router } from '../src/services/notification-service/router.js';
import type { ChannelName } from '../src/services/notification-service/channels/notify-channel.js';

const ALL: ChannelName[] = ['webhook', 'slack', 'discord', 'telegram', 'sms', 'signal'];
const info = { type: 'high_edge', severity: 'info' } as const;
const crit = { type: 'kill_switch', severity: 'critical' } as const;
/** 2026-01-15 12:00:00 UTC = 07:00 in New York (EST, UTC-5). */
const NOON_UTC = Date.UTC(2026, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;

function router(rules = '', quiet: string | null = null, channels = ALL): Router {
  return new Router({
    channels,
    rules: parseRoutes(rules, 'NOTIFY_ROUTES'),
    quietHours: quiet === null ? null : new QuietHours(parseQuietHours(quiet, 'NOTIFY_QUIET_HOURS'), 'America/New_York'),
    digestIntervalMs: HOUR,
    groupWaitMs: 0,
  });
}

describe('routes', () => {
  it('by default every channel but SMS gets everything; SMS gets critical alerts only', () => {
    const r = router();
    expect(r.plan(info, NOON_UTC).map((d) => d.channel)).toEqual(['webhook', 'slack', 'discord', 'telegram', 'signal']);
    expect(r.plan(crit, NOON_UTC).map((d) => d.channel)).toEqual(ALL);
    expect(r.plan(info, NOON_UTC).every((d) => d.dueMs === NOON_UTC && !d.digest)).toBe(true);
  });

  it('NOTIFY_ROUTES: per event and channel on/off/digest, later entries win, wildcards', () => {
    const r = router('high_edge.telegram=digest,trade.*=off,trade.slack=on,*.discord=off,critical.discord=on');
    expect(r.modeFor(info, 'telegram')).toBe('digest');
    expect(r.modeFor({ type: 'trade', severity: 'info' }, 'webhook')).toBe('off');
    expect(r.modeFor({ type: 'trade', severity: 'info' }, 'slack')).toBe('on');
    expect(r.modeFor(info, 'discord')).toBe('off');
    expect(r.modeFor(crit, 'discord')).toBe('on');
    const tg = r.plan(info, NOON_UTC).find((d) => d.channel === 'telegram')!;
    expect(tg).toMatchObject({ digest: true, dueMs: NOON_UTC + HOUR });
  });

  it('refuses a malformed entry naming the variable', () => {
    expect(() => parseRoutes('high_edge.pager=on', 'NOTIFY_ROUTES')).toThrow(ConfigError);
    expect(() => parseRoutes('nonsense', 'NOTIFY_ROUTES')).toThrow(/NOTIFY_ROUTES/);
    expect(() => parseRoutes('trade.slack=loud', 'NOTIFY_ROUTES')).toThrow(/on\|off\|digest/);
  });

  it('a critical alert routed digest still goes at once; an explicit off silences it', () => {
    const r = router('kill_switch.webhook=digest,kill_switch.slack=off');
    const plan = r.plan(crit, NOON_UTC);
    expect(plan.find((d) => d.channel === 'webhook')).toMatchObject({ dueMs: NOON_UTC, digest: false, critical: true });
    expect(plan.find((d) => d.channel === 'slack')).toBeUndefined();
  });
});

describe('quiet hours (America/New_York, fake clock)', () => {
  const q = new QuietHours(parseQuietHours('23:00-07:00', 'Q'), 'America/New_York');

  it('knows the local time of the zone and spans midnight', () => {
    expect(q.isQuiet(NOON_UTC - 1000)).toBe(true); // 06:59:59 EST
    expect(q.isQuiet(NOON_UTC)).toBe(false); // 07:00 EST
    expect(q.isQuiet(NOON_UTC + 15 * HOUR + 59 * 60_000)).toBe(false); // 22:59 EST
    expect(q.isQuiet(NOON_UTC + 16 * HOUR)).toBe(true); // 23:00 EST
    expect(q.isQuiet(NOON_UTC + 18 * HOUR)).toBe(true); // 01:00 EST
  });

  it('holds non-critical alerts until 07:00 New York time as a digest; critical ones go now', () => {
    const r = router('', '23:00-07:00');
    const at0130 = NOON_UTC - 5.5 * HOUR; // 01:30 EST
    for (const d of r.plan(info, at0130)) expect(d).toMatchObject({ digest: true, dueMs: NOON_UTC });
    for (const d of r.plan(crit, at0130)) expect(d).toMatchObject({ digest: false, dueMs: at0130, critical: true });
    expect(r.plan(info, NOON_UTC).every((d) => !d.digest && d.dueMs === NOON_UTC)).toBe(true);
  });

  it('summer time: 07:00 EDT is 11:00 UTC', () => {
    const july = Date.UTC(2026, 6, 15, 8, 0, 0); // 04:00 EDT
    expect(q.isQuiet(july)).toBe(true);
    expect(q.endsAt(july)).toBe(Date.UTC(2026, 6, 15, 11, 0, 0));
  });

  it('refuses malformed windows', () => {
    expect(() => parseQuietHours('25:00-07:00', 'NOTIFY_QUIET_HOURS')).toThrow(/NOTIFY_QUIET_HOURS/);
    expect(() => parseQuietHours('22-07', 'NOTIFY_QUIET_HOURS')).toThrow(ConfigError);
    expect(() => parseQuietHours('07:00-07:00', 'NOTIFY_QUIET_HOURS')).toThrow(ConfigError);
  });
});

const ctx: EventContext = { mode: 'PAPER', minEdge: 0.02, minPnlCc: 10_000 };

function signal(edge: number): TradeSignal {
  return {
    signal_id: 'sig-1', kind: 'model_edge', game_id: 'g1', sport: 'nba',
    legs: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.55, contracts: 10, fee_cc: 1700 }],
    model_prob: 0.61, net_edge: edge, gross_edge: edge + 0.01, confidence: 0.8, reason: 'model', created_ts: 1, expires_ts: 2,
  };
}

function trade(status: TradeCompleted['status'], mode: TradeCompleted['mode'] = 'paper', reason: string | null = null): TradeCompleted {
  return {
    trade_id: 't1', source: 'signal', source_id: 'sig-1', game_id: 'g1', sport: 'nba', mode, status, reason, decided_ts: 1,
    fills: [{ venue: 'kalshi', market_id: 'KXNBA-BOS', side: 'yes', action: 'buy', contracts: 10, yes_price: 0.55, fee_cc: 1700, order_id: 'o1' }],
  };
}

describe('alert texts and thresholds', () => {
  it('a high-edge signal: [PAPER], the edge in cents, the leg; below NOTIFY_MIN_EDGE it is skipped', () => {
    const e = eventFromMessage('high_edge_signal', signal(0.062), ctx) as NotifyEvent;
    expect(e).toMatchObject({ id: 'he:sig-1', type: 'high_edge', severity: 'info', mode: 'PAPER' });
    expect(e.text).toBe('[PAPER] High edge +6.2¢ model_edge nba g1: BUY 10 YES BOS kalshi KXNBA-BOS @ 0.55, model 0.61');
    expect(eventFromMessage('high_edge_signal', signal(0.01), ctx)).toMatchObject({ skip: 'below_threshold' });
  });

  it('trades say LIVE from their own mode; unknown outcome and daily loss limit are critical; plain rejections are skipped', () => {
    const live = eventFromMessage('trade_completed', trade('filled', 'live'), ctx) as NotifyEvent;
    expect(live.text).toBe('[LIVE] Trade filled: BUY 10 YES kalshi KXNBA-BOS @ 0.55, fees $0.17 (nba g1)');
    expect(eventFromMessage('trade_completed', trade('unknown'), ctx)).toMatchObject({ type: 'exec_blocked', severity: 'critical' });
    expect(eventFromMessage('trade_completed', trade('rejected', 'paper', 'RISK_DAILY_LOSS: limit'), ctx)).toMatchObject({ type: 'daily_loss', severity: 'critical' });
    expect(eventFromMessage('trade_completed', trade('rejected', 'paper', 'RISK_MAX_EXPOSURE'), ctx)).toMatchObject({ skip: 'not_notable' });
  });

  it('settlements above NOTIFY_MIN_PNL_USD, with signed P&L; other position updates are skipped', () => {
    const p: Position = {
      position_id: 'p1', game_id: 'g1', sport: 'nba', venue: 'kalshi', market_id: 'KXNBA-BOS', team: 'BOS', side: 'yes', state: 'settled',
      contracts: 10, avg_yes_price: 0.55, mark_yes_price: 1, cost_cc: 55_000, fees_cc: 1700, realized_pnl_cc: 43_300, unrealized_pnl_cc: 0, opened_ts: 1, updated_ts: 2,
    };
    expect((eventFromMessage('position', p, ctx) as NotifyEvent).text).toBe('[PAPER] Settled nba g1: YES BOS kalshi KXNBA-BOS, P&L +$4.33 (fees $0.17)');
    expect(eventFromMessage('position', { ...p, realized_pnl_cc: -5_000 }, ctx)).toMatchObject({ skip: 'below_threshold' });
    expect(eventFromMessage('position', { ...p, state: 'open' }, ctx)).toMatchObject({ skip: 'not_notable' });
    expect(formatDollars(-12_345)).toBe('-$1.23');
  });

  it('health: a dead service is critical SERVICE DOWN; others keep their severity', () => {
    const a: HealthAlert = { alert_id: 'a1', service: 'game_shard', instance: '1', severity: 'critical', kind: 'dead', message: 'no heartbeat for 6 s', ts: 1 };
    expect(eventFromMessage('health_alert', a, ctx)).toMatchObject({ id: 'hl:a1', type: 'service_down', severity: 'critical', text: '[PAPER] SERVICE DOWN game_shard.1: no heartbeat for 6 s' });
    expect(eventFromMessage('health_alert', { ...a, kind: 'feed_down', severity: 'warning' }, ctx)).toMatchObject({ type: 'health', severity: 'warning' });
  });

  it('fuzz: any type and any data give an event or a reason, never an exception', () => {
    const types = fc.oneof(fc.constantFrom('high_edge_signal', 'trade_completed', 'exit_signal', 'position', 'health_alert'), fc.string());
    fc.assert(
      fc.property(types, fc.anything(), (type, data) => {
        const r = eventFromMessage(type, data, ctx);
        expect('skip' in r || (typeof r.id === 'string' && r.text.startsWith('[PAPER]'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Valid shapes with hostile strings still make one bounded line.
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (reason) => {
        const r = eventFromMessage('trade_completed', trade('failed', 'paper', reason), ctx) as NotifyEvent;
        expect(r.type).toBe('trade');
      }),
    );
  });

  it('long Polymarket token ids are shortened for a phone screen', () => {
    const id = '24090754083153891928383190368038309344142185306182503474798570776659310647768';
    const t = { ...trade('filled'), fills: [{ ...trade('filled').fills[0]!, venue: 'poly' as const, market_id: id }] };
    expect((eventFromMessage('trade_completed', t, ctx) as NotifyEvent).text).toContain('poly 2409075408…7768 @ 0.55');
  });

  it('malformed data and unknown types are reasons, not exceptions', () => {
    expect(eventFromMessage('trade_completed', { trade_id: 5 }, ctx)).toMatchObject({ skip: 'malformed' });
    expect(eventFromMessage('high_edge_signal', null, ctx)).toMatchObject({ skip: 'malformed' });
    expect(eventFromMessage('price', {}, ctx)).toMatchObject({ skip: 'unknown_type' });
  });
});

describe('channel configuration', () => {
  it('only NOTIFY_WEBHOOK_URL is enough; a misconfigured channel is named with its variable, never its value', () => {
    const problems = (env: Record<string, string>) => channelProblems(loadConfig(notifyConfigSpec, env)).map((p) => `${p.channel} ${p.variable} ${p.problem}`);
    expect(problems({ NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/x' })).toEqual([]);
    expect(problems({ TELEGRAM_BOT_TOKEN: 'abc:def' })).toEqual(['telegram TELEGRAM_CHAT_ID is required when TELEGRAM_BOT_TOKEN is set']);
    expect(problems({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 'tok', TWILIO_FROM: '+15550000000' })).toEqual(['sms NOTIFY_SMS_TO is required for SMS']);
    expect(problems({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 'tok', TWILIO_FROM: '+1555', NOTIFY_SMS_TO: '5551234' })).toEqual(['sms NOTIFY_SMS_TO must list E.164 numbers (+15551234567)']);
    expect(problems({ NOTIFY_WEBHOOK_URL: 'ftp://x/secret-path' })).toEqual(['webhook NOTIFY_WEBHOOK_URL must be an http(s) URL, got ftp:']);
    expect(problems({ NOTIFY_SLACK_WEBHOOK_URL: 'not a url T/B/secret' })).toEqual(['slack NOTIFY_SLACK_WEBHOOK_URL must be a URL']);
  });
});

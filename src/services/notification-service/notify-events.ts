/**
 * Hot-path messages to alerts a human reads: which messages matter, their stable event id (the
 * dedupe key: the same trade heard twice is one alert), how critical they are, and one short
 * line of text that says PAPER or LIVE. Pure functions, no I/O.
 */
import { formatCc, dollarsToCc } from '../../core/money.js';
import {
  ExitSignalSchema,
  HealthAlertSchema,
  PositionSchema,
  TradeCompletedSchema,
  TradeSignalSchema,
  type ExitSignal,
  type HealthAlert,
  type Position,
  type SignalLeg,
  type TradeCompleted,
  type TradeSignal,
} from '../../core/messages.js';
import type { Severity, TradingModeLabel } from './channels/notify-channel.js';

export const EVENT_TYPES = [
  'high_edge',
  'trade',
  'exit',
  'settlement',
  'health',
  'kill_switch',
  'exec_blocked',
  'service_down',
  'daily_loss',
  'dead_letter',
  'test',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NotifyEvent {
  /** Stable for the thing it reports (`tr:<trade_id>`...): the dedupe key. */
  readonly id: string;
  readonly type: EventType;
  readonly severity: Severity;
  readonly mode: TradingModeLabel;
  /** One line, prefixed with [PAPER] or [LIVE]. */
  readonly text: string;
}

export interface EventContext {
  /** The execution mode, for messages that carry none (signals, health). */
  readonly mode: TradingModeLabel;
  readonly minEdge: number;
  readonly minPnlCc: number;
}

/** Why a message produced no alert (each is counted). */
export type Skip = { readonly skip: 'malformed' | 'unknown_type' | 'below_threshold' | 'not_notable'; readonly detail: string };

export const modeLabel = (mode: string): TradingModeLabel => (mode === 'live' ? 'LIVE' : 'PAPER');

export function eventFromMessage(type: string, data: unknown, ctx: EventContext): NotifyEvent | Skip {
  switch (type) {
    case 'high_edge_signal':
      return parsed(TradeSignalSchema.safeParse(data), (s) => highEdgeEvent(s, ctx));
    case 'trade_completed':
      return parsed(TradeCompletedSchema.safeParse(data), tradeEvent);
    case 'exit_signal':
      return parsed(ExitSignalSchema.safeParse(data), (e) => exitEvent(e, ctx));
    case 'position':
      // Most position messages are marks of open positions: only a settled one is news, so the
      // others skip the schema parse (a state that is not a string still gets it, and its error).
      if (isUnsettled(data)) return { skip: 'not_notable', detail: `position ${(data as { state: string }).state}` };
      return parsed(PositionSchema.safeParse(data), (p) => settlementEvent(p, ctx));
    case 'health_alert':
      return parsed(HealthAlertSchema.safeParse(data), (a) => healthEvent(a, ctx));
    default:
      return { skip: 'unknown_type', detail: `message type ${JSON.stringify(type).slice(0, 64)}` };
  }
}

function isUnsettled(data: unknown): boolean {
  const state = typeof data === 'object' && data !== null ? (data as { state?: unknown }).state : undefined;
  return typeof state === 'string' && state !== 'settled';
}

function parsed<T>(r: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }, fn: (v: T) => NotifyEvent | Skip): NotifyEvent | Skip {
  if (r.success) return fn(r.data);
  const issue = r.error.issues[0];
  return { skip: 'malformed', detail: issue === undefined ? 'invalid' : `${issue.path.map(String).join('.')}: ${issue.message}` };
}

const tag = (mode: TradingModeLabel) => `[${mode}]`;
const px = (p: number) => p.toFixed(2);
const cents = (edge: number) => `${edge >= 0 ? '+' : ''}${(edge * 100).toFixed(1)}¢`;
const signed = (cc: number) => (cc > 0 ? `+${formatDollars(cc)}` : formatDollars(cc));

/** Dollars with cents (`$12.35`, `-$0.40`): formatCc keeps centi-cents, too fine for a phone screen. */
export function formatDollars(cc: number): string {
  const full = formatCc(Math.round(cc / 100) * 100);
  return full.slice(0, full.length - 2);
}

/** Market ids fit a phone screen: Polymarket's 77-digit token ids become `2409075408…7768`. */
export function shortMarket(id: string): string {
  return id.length <= 32 ? id : `${id.slice(0, 10)}…${id.slice(-4)}`;
}

function legText(l: SignalLeg): string {
  return `${l.action.toUpperCase()} ${l.contracts} ${l.side.toUpperCase()}${l.team === null ? '' : ` ${l.team}`} ${l.venue} ${shortMarket(l.market_id)} @ ${px(l.yes_price)}`;
}

export function highEdgeEvent(s: TradeSignal, ctx: EventContext): NotifyEvent | Skip {
  if (s.net_edge < ctx.minEdge) return { skip: 'below_threshold', detail: `edge ${s.net_edge} < ${ctx.minEdge}` };
  const model = s.model_prob === null ? '' : `, model ${px(s.model_prob)}`;
  const text = `${tag(ctx.mode)} High edge ${cents(s.net_edge)} ${s.kind} ${s.sport} ${s.game_id}: ${s.legs.map(legText).join(' + ')}${model}`;
  return { id: `he:${s.signal_id}`, type: 'high_edge', severity: 'info', mode: ctx.mode, text };
}

export function tradeEvent(t: TradeCompleted): NotifyEvent | Skip {
  const mode = modeLabel(t.mode);
  const fills = t.fills.map((f) => `${f.action.toUpperCase()} ${f.contracts} ${f.side.toUpperCase()} ${f.venue} ${shortMarket(f.market_id)} @ ${px(f.yes_price)}`).join(' + ');
  const fees = formatDollars(t.fills.reduce((sum, f) => sum + f.fee_cc, 0));
  switch (t.status) {
    case 'filled':
    case 'partial':
      return { id: `tr:${t.trade_id}`, type: 'trade', severity: 'info', mode, text: `${tag(mode)} Trade ${t.status}${t.source === 'exit' ? ' (exit)' : ''}: ${fills}, fees ${fees} (${t.sport} ${t.game_id})` };
    case 'unknown':
      return {
        id: `tr:${t.trade_id}`,
        type: 'exec_blocked',
        severity: 'critical',
        mode,
        text: `${tag(mode)} EXECUTION BLOCKED: an order of trade ${t.trade_id} has an unknown outcome; its market is blocked until reconciled${t.reason === null ? '' : ` (${t.reason})`}`,
      };
    case 'failed':
      return { id: `tr:${t.trade_id}`, type: 'trade', severity: 'warning', mode, text: `${tag(mode)} Trade failed ${t.trade_id}${t.reason === null ? '' : `: ${t.reason}`}` };
    case 'rejected':
      if (t.reason !== null && /RISK_DAILY_LOSS|daily loss/i.test(t.reason)) {
        return { id: `dl:${t.trade_id}`, type: 'daily_loss', severity: 'critical', mode, text: `${tag(mode)} DAILY LOSS LIMIT reached: new entries are refused (${t.reason})` };
      }
      return { skip: 'not_notable', detail: 'rejected trade' };
  }
}

export function exitEvent(e: ExitSignal, ctx: EventContext): NotifyEvent {
  const text = `${tag(ctx.mode)} Exit ${e.reason.replace(/_/g, ' ')}: close ${e.contracts} ${e.side.toUpperCase()} ${e.venue} ${shortMarket(e.market_id)} @ ${px(e.yes_price)}`;
  return { id: `ex:${e.exit_id}`, type: 'exit', severity: 'info', mode: ctx.mode, text };
}

export function settlementEvent(p: Position, ctx: EventContext): NotifyEvent | Skip {
  if (p.state !== 'settled') return { skip: 'not_notable', detail: `position ${p.state}` };
  if (Math.abs(p.realized_pnl_cc) < ctx.minPnlCc) return { skip: 'below_threshold', detail: 'P&L below NOTIFY_MIN_PNL_USD' };
  const who = p.team === null ? '' : ` ${p.team}`;
  const text = `${tag(ctx.mode)} Settled ${p.sport} ${p.game_id}: ${p.side.toUpperCase()}${who} ${p.venue} ${shortMarket(p.market_id)}, P&L ${signed(p.realized_pnl_cc)} (fees ${formatDollars(p.fees_cc)})`;
  return { id: `st:${p.position_id}`, type: 'settlement', severity: 'info', mode: ctx.mode, text };
}

export function healthEvent(a: HealthAlert, ctx: EventContext): NotifyEvent {
  const who = `${a.service}${a.instance === null ? '' : `.${a.instance}`}`;
  if (a.kind === 'dead') {
    return { id: `hl:${a.alert_id}`, type: 'service_down', severity: 'critical', mode: ctx.mode, text: `${tag(ctx.mode)} SERVICE DOWN ${who}: ${a.message}` };
  }
  const level = a.severity === 'critical' ? 'CRITICAL' : a.severity === 'warning' ? 'Warning' : 'Health';
  return { id: `hl:${a.alert_id}`, type: 'health', severity: a.severity, mode: ctx.mode, text: `${tag(ctx.mode)} ${level} ${who} ${a.kind.replace(/_/g, ' ')}: ${a.message}` };
}

export function killSwitchEvent(seq: number, on: boolean, value: string, mode: TradingModeLabel): NotifyEvent {
  const text = on ? `${tag(mode)} KILL SWITCH ON: trading halted (${value.slice(0, 120)})` : `${tag(mode)} Kill switch off: trading may resume`;
  return { id: `ks:${seq}`, type: 'kill_switch', severity: 'critical', mode, text };
}

export function blockedMarketEvent(market: string, why: string, mode: TradingModeLabel): NotifyEvent {
  return {
    id: `eb:${market}:${shortHash(why)}`,
    type: 'exec_blocked',
    severity: 'critical',
    mode,
    text: `${tag(mode)} EXECUTION BLOCKED on ${market}: ${why.slice(0, 160)}; no new orders there until it is reconciled`,
  };
}

/** A short stable hash (FNV-1a) for ids built from text. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

export const minPnlCc = (usd: number): number => dollarsToCc(usd);

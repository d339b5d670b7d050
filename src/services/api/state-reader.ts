/**
 * Reads of the current state from the Redis slow track: the registry, tracked games with their
 * latest state and prices, open positions, the position tracker's checkpoint, the controls.
 * Every key name comes from SlowKey; bad entries are skipped and counted, never thrown.
 */
import type { Redis } from 'ioredis';
import type { AccountView, ControlState, FunnelRow, GameView, LimitUse, PositionView, ServiceView } from '../../core/api-protocol.js';
import { GameInfoSchema, type GameInfo, type GameState, type Position, type PriceUpdate } from '../../core/messages.js';
import { checkPosition } from '../../core/message-checks.js';
import { resolveRiskLimits } from '../../core/risk/risk-limits.js';
import { SlowKey } from '../../core/slow-keys.js';
import { killSwitchValueIsOn } from '../../core/kill-switch-value.js';
import { nowMicros } from '../../core/time.js';
import { listInstances, registryKey } from '../../bus/registry.js';
import { checkEntry, parseEntryFields, parseGameValue } from '../../bus/slow-track.js';
import type { AccountHistory } from './account-history.js';

const num = (v: string | undefined) => (v === undefined || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

export class SlowStateReader {
  badEntries = 0;

  constructor(
    private readonly redis: Redis,
    /** Closed-position totals, mode and funnel: Postgres when the recorder has it, else the streams (history-router.ts). */
    private readonly history: AccountHistory,
    /** The TTL the services' heartbeats set (ARBEES_REGISTRY_TTL_MS). */
    private readonly registryTtlMs = 6_000,
  ) {}

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  /**
   * Heartbeat age comes from the registry key's remaining TTL (Redis's clock, one for all), not
   * from `ts`: host clocks being slewed made `ts` look seconds old in a freshly started process.
   */
  async services(nowUs = nowMicros()): Promise<ServiceView[]> {
    const list = await listInstances(this.redis);
    const pipe = this.redis.pipeline();
    for (const h of list) pipe.pttl(registryKey(h.service, h.instance));
    const ttls = (await pipe.exec()) ?? [];
    return list
      .map((h, i) => {
        const left = Number(ttls[i]?.[1] ?? -1);
        const age = left >= 0 ? Math.max(0, this.registryTtlMs - left) : Math.max(0, Math.round((nowUs - h.ts) / 1000));
        return { ...h, age_ms: age, uptime_ms: Math.max(0, Math.round((nowUs - h.started_ts) / 1000)) };
      })
      .sort((a, b) => (a.service === b.service ? a.instance.localeCompare(b.instance) : a.service.localeCompare(b.service)));
  }

  async controls(): Promise<ControlState> {
    const [kill, paused] = await this.redis.mget(SlowKey.killSwitch, SlowKey.entriesPaused);
    return { kill_switch: killSwitchValueIsOn(kill ?? null), kill_switch_value: kill ?? null, entries_paused: killSwitchValueIsOn(paused ?? null) };
  }

  /** Every tracked game (games:active) with its latest state and market prices. */
  async games(): Promise<GameView[]> {
    const raw = await this.redis.hgetall(SlowKey.activeGames);
    const infos: GameInfo[] = [];
    for (const text of Object.values(raw)) {
      const info = this.#parseInfo(text);
      if (info) infos.push(info);
    }
    return this.#withState(infos);
  }

  async game(gameId: string): Promise<GameView | null> {
    const text = await this.redis.hget(SlowKey.activeGames, gameId);
    const info = text === null ? null : this.#parseInfo(text);
    if (info === null) return null;
    return (await this.#withState([info]))[0] ?? null;
  }

  async latestPrice(venue: PriceUpdate['venue'], marketId: string): Promise<{ price: PriceUpdate; ts: number } | null> {
    const fields = await this.redis.hgetall(SlowKey.latestPrice(venue, marketId));
    if (Object.keys(fields).length === 0) return null;
    const entry = parseEntryFields(fields);
    const typed = entry && checkEntry(entry, ['price'], { malformed: 0, invalid: 0 });
    if (!typed) {
      this.badEntries++;
      return null;
    }
    return { price: typed.envelope.data as PriceUpdate, ts: typed.envelope.ts };
  }

  async openPositions(): Promise<PositionView[]> {
    const raw = await this.redis.hgetall(SlowKey.positionsOpen);
    const out: PositionView[] = [];
    for (const text of Object.values(raw)) {
      const position = this.#parsePosition(text);
      if (position) out.push({ position, stream_id: null });
    }
    return out.sort((a, b) => b.position.opened_ts - a.position.opened_ts);
  }

  async openPosition(positionId: string): Promise<Position | null> {
    const text = await this.redis.hget(SlowKey.positionsOpen, positionId);
    return text === null ? null : this.#parsePosition(text);
  }

  async account(): Promise<AccountView> {
    const [checkpoint, open, control, closed, mode] = await Promise.all([
      this.redis.hgetall(SlowKey.positionsCheckpoint),
      this.openPositions(),
      this.controls(),
      this.history.closedStats(),
      this.history.mode(),
    ]);
    const bySport: Record<string, number> = {};
    const byGame: Record<string, number> = {};
    let unrealised = 0;
    let exposure = 0;
    for (const { position: p } of open) {
      bySport[p.sport] = (bySport[p.sport] ?? 0) + p.cost_cc;
      byGame[p.game_id] = (byGame[p.game_id] ?? 0) + p.cost_cc;
      unrealised += p.unrealized_pnl_cc;
      exposure += p.cost_cc;
    }
    return {
      mode,
      initial_bankroll_cc: num(checkpoint.initial_bankroll_cc),
      cash_cc: num(checkpoint.cash_cc),
      realised_cc: num(checkpoint.realised_cc),
      day: checkpoint.day ?? null,
      day_realised_cc: num(checkpoint.day_realised_cc),
      unrealised_cc: unrealised,
      open_exposure_cc: exposure,
      open_positions: open.length,
      exposure_by_sport: bySport,
      exposure_by_game: byGame,
      closed_count: closed.count,
      win_rate: closed.count === 0 ? null : closed.wins / closed.count,
      max_drawdown_cc: closed.maxDrawdownCc,
      limits: limitUse(bySport, byGame, exposure, num(checkpoint.day_realised_cc) ?? 0, unrealised),
      control,
    };
  }

  /** Signals -> decided -> filled / rejected by reason, per signal kind, over the last `window` signals and trades. */
  funnel(window: number): Promise<FunnelRow[]> {
    return this.history.funnel(window);
  }

  async #withState(infos: GameInfo[]): Promise<GameView[]> {
    if (infos.length === 0) return [];
    const pipe = this.redis.pipeline();
    // Per game in order: its latest state, then each market's latest price (read back in the same order).
    for (const info of infos) {
      pipe.get(SlowKey.gameLatest(info.sport, info.game_id));
      for (const m of info.markets) pipe.hgetall(SlowKey.latestPrice(m.venue, m.market_id));
    }
    const results = (await pipe.exec()) ?? [];
    let i = 0;
    return infos.map((info) => {
      const stateText = results[i++]?.[1] as string | null | undefined;
      const state = typeof stateText === 'string' ? this.#parseState(stateText) : null;
      const prices: PriceUpdate[] = [];
      for (const _m of info.markets) {
        const fields = (results[i++]?.[1] ?? {}) as Record<string, string>;
        const entry = Object.keys(fields).length > 0 ? parseEntryFields(fields) : null;
        const typed = entry && checkEntry(entry, ['price'], { malformed: 0, invalid: 0 });
        if (typed) prices.push(typed.envelope.data as PriceUpdate);
      }
      return { info, state, prices };
    });
  }

  #parseInfo(text: string): GameInfo | null {
    try {
      const parsed = GameInfoSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // counted below
    }
    this.badEntries++;
    return null;
  }

  #parseState(text: string): GameState | null {
    const entry = parseGameValue(text);
    const typed = entry && checkEntry(entry, ['game_state', 'game_info'], { malformed: 0, invalid: 0 });
    if (!typed) {
      this.badEntries++;
      return null;
    }
    return typed.envelope.type === 'game_state' ? (typed.envelope.data as GameState) : null;
  }

  #parsePosition(text: string): Position | null {
    try {
      const row = JSON.parse(text) as { position?: unknown };
      // The hand check (core/message-checks.ts, held to the schema by a property test): a zod
      // parse of every open position on each status push was 7 % of the api's CPU at 400 held.
      if (checkPosition(row.position) === null) return row.position as Position;
    } catch {
      // counted below
    }
    this.badEntries++;
    return null;
  }
}

/**
 * How close the book is to the risk limits. The limits shown are the core defaults: execution may
 * run with others (EXEC_* settings), which it does not publish yet.
 */
function limitUse(bySport: Record<string, number>, byGame: Record<string, number>, total: number, dayRealised: number, unrealised: number): LimitUse[] {
  const limits = resolveRiskLimits();
  const use = (name: string, used: number, limit: number): LimitUse => ({ name, used_cc: used, limit_cc: limit, use: limit > 0 ? used / limit : 0 });
  return [
    use('total_exposure', total, limits.maxTotalExposureCc),
    use('largest_sport_exposure', Math.max(0, ...Object.values(bySport)), limits.maxSportExposureCc),
    use('largest_game_exposure', Math.max(0, ...Object.values(byGame)), limits.maxGameExposureCc),
    use('daily_loss', Math.max(0, -(dayRealised + unrealised)), limits.maxDailyLossCc),
  ];
}

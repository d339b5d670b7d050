/**
 * What the controls do. The kill switch and reduce-only mode are the Redis keys execution_service
 * polls (control:kill_switch, control:entries_paused). Flattening publishes one manual exit signal
 * per open position on `signals.exit.<position_id>`, the same path the position tracker's own
 * exits take, so execution applies its usual checks and the result comes back as a trade.
 */
import type { Redis } from 'ioredis';
import type { ControlState } from '../../core/api-protocol.js';
import { killSwitchValueIsOn } from '../../core/kill-switch-value.js';
import type { ExitSignal, Position } from '../../core/messages.js';
import { CC_PER_DOLLAR, priceToCc } from '../../core/money.js';
import { sellableContracts } from '../../core/execution/sell-size.js';
import { SlowKey } from '../../core/slow-keys.js';
import { nowMicros } from '../../core/time.js';
import { Topic } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import type { SlowStateReader } from './state-reader.js';

export interface ControlDeskOptions {
  /** Probability points past the mark a flatten accepts. */
  slippage: number;
  exitTtlUs: number;
}

export interface SentExit {
  exit_id: string;
  position_id: string;
  contracts: number;
  yes_price: number;
}

export class ControlDesk {
  #exitSeq = 0;

  constructor(
    private readonly redis: Redis,
    private readonly reader: SlowStateReader,
    private readonly publisher: () => Promise<Pick<HotPublisher, 'publish'>>,
    private readonly options: ControlDeskOptions,
  ) {}

  async setKillSwitch(on: boolean, note: string): Promise<ControlState> {
    await this.redis.set(SlowKey.killSwitch, on ? `on: ${note}` : 'off');
    return this.reader.controls();
  }

  async setEntriesPaused(paused: boolean, note: string): Promise<ControlState> {
    await this.redis.set(SlowKey.entriesPaused, paused ? `on: ${note}` : 'off');
    return this.reader.controls();
  }

  async killSwitchOn(): Promise<boolean> {
    return killSwitchValueIsOn(await this.redis.get(SlowKey.killSwitch));
  }

  /** Exits for the given open positions; positions without any price to sell at are reported, not sent. */
  async flatten(positions: readonly Position[]): Promise<{ sent: SentExit[]; skipped: string[] }> {
    const pub = await this.publisher();
    const sent: SentExit[] = [];
    const skipped: string[] = [];
    for (const p of positions) {
      // What the venue can sell: a fraction below its sell step (Polymarket dust) stays to settlement.
      const contracts = sellableContracts(p.venue, p.contracts);
      if (contracts <= 0) {
        skipped.push(`${p.position_id}: ${p.contracts} held is below the venue's sell size (settlement pays it)`);
        continue;
      }
      const limit = await this.#limitFor(p);
      if (limit === null) {
        skipped.push(`${p.position_id}: no price to sell at`);
        continue;
      }
      const signal = this.#exitSignal(p, contracts, limit);
      if (pub.publish(Topic.exitSignal(p.position_id), 'exit_signal', signal) === null) skipped.push(`${p.position_id}: hot path refused the message`);
      else sent.push({ exit_id: signal.exit_id, position_id: p.position_id, contracts, yes_price: limit });
    }
    return { sent, skipped };
  }

  /**
   * Worst acceptable YES-side price from the current best price (the slow track's latest), else
   * the position's mark: a YES sell down to bid - slippage, a NO sell up to ask + slippage.
   */
  async #limitFor(p: Position): Promise<number | null> {
    const latest = await this.reader.latestPrice(p.venue, p.market_id);
    const best = p.side === 'yes' ? latest?.price.yes_bid : latest?.price.yes_ask;
    const mark = best ?? p.mark_yes_price;
    if (mark === null || mark === undefined) return null;
    const slipCc = priceToCc(this.options.slippage);
    const markCc = priceToCc(mark);
    const limitCc = p.side === 'yes' ? Math.max(100, markCc - slipCc) : Math.min(CC_PER_DOLLAR - 100, markCc + slipCc);
    return limitCc / CC_PER_DOLLAR;
  }

  #exitSignal(p: Position, contracts: number, yesPrice: number): ExitSignal {
    const now = nowMicros();
    return {
      exit_id: `api-${now}-${++this.#exitSeq}`,
      position_id: p.position_id,
      game_id: p.game_id,
      venue: p.venue,
      market_id: p.market_id,
      side: p.side,
      contracts,
      yes_price: yesPrice,
      reason: 'manual',
      created_ts: now,
      expires_ts: now + this.options.exitTtlUs,
    };
  }
}

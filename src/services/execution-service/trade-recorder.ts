/**
 * Every outcome (fills, partial fills, unknowns, rejections with their reason) goes out twice:
 * on the hot path as `trades.completed.<trade_id>` for whoever reacts now, and appended to the
 * durable stream `trades:completed` (never trimmed: the recorder and the position tracker replay
 * it) in the slow-track layout (`type` trade_completed, `data` JSON). `origin_ts` is the
 * signal's, so tick-to-trade is measurable end to end; `cause` is the signal's envelope id.
 */
import { ENVELOPE_VERSION } from '../../core/envelope.js';
import { TradeCompletedSchema, type TradeCompleted } from '../../core/messages.js';
import { nowMicros } from '../../core/time.js';
import { Topic } from '../../core/topics.js';
import type { HotPublisher } from '../../bus/hot-publisher.js';
import { streamEntryFields } from '../../bus/slow-track.js';
import type { ChainableCommander } from 'ioredis';
import { xadd, type RedisOutbox } from './redis-outbox.js';

export class TradeRecorder {
  published = 0;
  invalid = 0;

  constructor(
    private readonly publisher: HotPublisher,
    private readonly outbox: RedisOutbox,
    private readonly stream: string,
  ) {}

  /** Validates against the shared schema first: a TradeCompleted that position_tracker could not read is a bug here. */
  /** `alsoWrite` joins the same MULTI (the decision record), so both land together. */
  record(trade: TradeCompleted, meta: { originTs: number; cause: string | null }, alsoWrite?: (tx: ChainableCommander) => void): Promise<void> {
    const checked = TradeCompletedSchema.safeParse(trade);
    if (!checked.success) {
      this.invalid++;
      throw new Error(`TradeCompleted ${trade.trade_id} does not match its schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const topic = Topic.tradeCompleted(trade.trade_id);
    const opts = { originTs: meta.originTs, ...(meta.cause ? { cause: meta.cause } : {}) };
    const id = this.publisher.publish(topic, 'trade_completed', checked.data, opts) ?? trade.trade_id;
    this.published++;
    const envelope = {
      v: ENVELOPE_VERSION,
      type: 'trade_completed',
      id,
      src: this.publisher.src,
      seq: this.published,
      ts: nowMicros(),
      origin_ts: meta.originTs,
      ...(meta.cause ? { cause: meta.cause } : {}),
      data: checked.data,
    };
    const fields = streamEntryFields(topic, envelope);
    return this.outbox.append({
      what: `trade ${trade.trade_id}`,
      write: (tx) => {
        xadd(tx, this.stream, fields);
        alsoWrite?.(tx);
      },
    });
  }
}

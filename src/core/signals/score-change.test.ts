/**
 * Score change: a worked example by hand, the staleness rule (only books that have not changed
 * since the play), the direction rule (never buy the side the play hurt), and every gate.
 */
import { describe, expect, it } from 'vitest';
import { TradeSignalSchema } from '../messages.js';
import { detectScoreChange, type ScoreChangeInput } from './score-change.js';
import { resolveSignalOptions } from './signal-options.js';
import { book, fixedContext } from '../../../test/helpers/signal-books.js';

const NHL = { game_id: 'g-nhl-1', sport: 'nhl' as const };
const ON = resolveSignalOptions({ scoreChange: { enabled: true } });
const NOW = 1_700_000_000_000_000;
const PLAY = NOW - 800_000;

function input(overrides: Partial<ScoreChangeInput> = {}): ScoreChangeInput {
  return {
    game: NHL,
    previous: { home_score: 1, away_score: 1 },
    current: { home_score: 2, away_score: 1 },
    modelBefore: { home: 0.5 },
    modelAfter: { home: 0.62 },
    playTs: PLAY,
    books: [
      book('kalshi', 'home', { asks: [[0.51, 50]], bids: [[0.49, 50]], changed_ts: PLAY - 2_000_000 }),
      book('poly', 'home', { asks: [[0.52, 100]], bids: [[0.5, 100]], changed_ts: PLAY + 300_000 }),
    ],
    ...overrides,
  };
}

describe('score change: worked example', () => {
  it('buys the unmoved Kalshi YES home after a home goal; Polymarket already repriced', () => {
    // Home scores; model 0.50 -> 0.62. Kalshi's book last changed 2 s before the play, Polymarket's
    // 0.3 s after it (it has reacted), so only Kalshi is eligible.
    // Kalshi YES at 0.51 x50: gross 6200 - 5100 = 1100 cc/contract.
    //   entry ceil_cent(0.07*50*0.51*0.49 = $0.87465) = 8800; exit at 0.62: ceil_cent(0.07*50*0.62*0.38 = $0.8246) = 8300.
    //   value 55000 - 17100 = 37900 cc = 0.0758 per contract. (n=49: 53900 - 8600 - 8100 = 37200, less.)
    const ctx = fixedContext(NOW);
    const result = detectScoreChange(input(), ctx, ON);
    expect(result.reason).toBe('emitted');
    const s = result.signal!;
    expect(TradeSignalSchema.parse(s.signal)).toEqual(s.signal);
    expect(s.signal.kind).toBe('score_change');
    expect(s.signal.legs).toEqual([
      { venue: 'kalshi', market_id: 'K-home', team: 'BOS', side: 'yes', action: 'buy', yes_price: 0.51, contracts: 50, fee_cc: 8800 },
    ]);
    expect(s.expectedProfitCc).toBe(37900);
    expect(s.signal.net_edge).toBe(0.0758);
    expect(s.signal.gross_edge).toBe(0.11);
    expect(s.signal.model_prob).toBe(0.62);
    expect(s.signal.expires_ts).toBe(NOW + 1_500_000);
    expect(s.debounceKey).toBe('g-nhl-1:score:home');
  });

  it('would have taken Polymarket had it not moved (proof that the staleness rule decides)', () => {
    // Polymarket YES 0.52 x100: gross 1000; entry 0.03*100*0.52*0.48 = 7488; exit 0.03*100*0.62*0.38 = 7068.
    // value 100000 - 14556 = 85444 cc (854.44 cc/contract) beats Kalshi's 758.
    const books = input().books.map((b) => ({ ...b, changed_ts: PLAY - 1 }));
    const result = detectScoreChange(input({ books }), fixedContext(NOW), ON);
    expect(result.signal!.signal.legs[0]!.venue).toBe('poly');
    expect(result.signal!.expectedProfitCc).toBe(85444);
  });
});

describe('score change: gates', () => {
  const ctx = fixedContext(NOW);

  it('is off unless enabled', () => {
    expect(detectScoreChange(input(), ctx).reason).toBe('disabled');
  });

  it('needs a score change, a recent play and a large enough model move', () => {
    expect(detectScoreChange(input({ current: { home_score: 1, away_score: 1 } }), ctx, ON).reason).toBe('no_score_change');
    expect(detectScoreChange(input({ playTs: NOW - 5_000_001 }), ctx, ON).reason).toBe('play_too_old');
    expect(detectScoreChange(input({ modelAfter: { home: 0.549 } }), ctx, ON).reason).toBe('model_move_too_small');
  });

  it('treats a book changed after the play, or with no change time, as already moved', () => {
    const moved = input().books.map((b) => ({ ...b, changed_ts: PLAY }));
    expect(detectScoreChange(input({ books: moved }), ctx, ON).reason).toBe('market_already_moved');
    const unknown = input().books.map((b) => ({ ...b, changed_ts: null }));
    expect(detectScoreChange(input({ books: unknown }), ctx, ON).reason).toBe('market_already_moved');
  });

  it('never buys the side the play hurt, however cheap it looks', () => {
    // Away scores: model 0.50 -> 0.38. YES home at 0.30 is below even the new model (gross 800), but the
    // play made home less likely, so it is not a score-change trade; NO home at 1 - 0.28 = 0.72 > 0.62.
    const books = [book('kalshi', 'home', { asks: [[0.3, 50]], bids: [[0.28, 50]], changed_ts: PLAY - 1 })];
    const result = detectScoreChange(
      input({ current: { home_score: 1, away_score: 2 }, modelAfter: { home: 0.38 }, books }),
      ctx,
      ON,
    );
    expect(result.reason).toBe('below_threshold');
  });

  it('backs away after an away goal through NO home when that is where the edge is', () => {
    // Model 0.50 -> 0.38; NO home at 1 - 0.55 = 0.45 vs model NO 0.62: gross 1700 cc/contract, 20 contracts.
    // Kalshi entry ceil_cent(0.07*20*0.55*0.45 = $0.3465) = 3500; exit at yes 0.38: ceil_cent(0.07*20*0.2356 = $0.32984) = 3300.
    // value 34000 - 6800 = 27200 cc.
    const books = [book('kalshi', 'home', { asks: [[0.57, 50]], bids: [[0.55, 20]], changed_ts: PLAY - 1 })];
    const result = detectScoreChange(
      input({ current: { home_score: 1, away_score: 2 }, modelAfter: { home: 0.38 }, books }),
      ctx,
      ON,
    );
    expect(result.signal!.signal.legs[0]).toMatchObject({ side: 'no', yes_price: 0.55, contracts: 20, fee_cc: 3500 });
    expect(result.signal!.expectedProfitCc).toBe(27200);
    expect(result.signal!.debounceKey).toBe('g-nhl-1:score:away');
  });

  it('rejects garbage scores, times and probabilities with issues instead of throwing', () => {
    const bad: Partial<ScoreChangeInput>[] = [
      { current: { home_score: -1, away_score: 0 } },
      { previous: { home_score: 1.5, away_score: 0 } },
      { playTs: Number.NaN },
      { playTs: NOW + 10 },
      { modelAfter: { home: Number.POSITIVE_INFINITY } },
      { modelBefore: null as never },
    ];
    for (const b of bad) {
      const result = detectScoreChange(input(b), ctx, ON);
      expect(result.reason).toBe('invalid_input');
      expect(result.issues.length).toBeGreaterThan(0);
      expect(result.issues[0]!.code).toBe('ARB_SIGNAL_INPUT');
    }
    expect(detectScoreChange(undefined as never, ctx, ON).reason).toBe('invalid_input');
  });

  it('soccer: a home goal that lowers the draw probability can back home', () => {
    // EPL, model home 0.40 -> 0.60, draw 0.30 -> 0.25. Polymarket YES home at 0.50 x40: gross 1000;
    // entry 0.03*40*0.25 = $0.30 = 3000; exit 0.03*40*0.24 = $0.288 = 2880; value 40000 - 5880 = 34120.
    const epl = { game_id: 'g-epl-9', sport: 'epl' as const };
    const result = detectScoreChange(
      input({
        game: epl,
        modelBefore: { home: 0.4, draw: 0.3 },
        modelAfter: { home: 0.6, draw: 0.25 },
        books: [book('poly', 'home', { asks: [[0.5, 40]], bids: [[0.48, 40]], changed_ts: PLAY - 1 })],
      }),
      ctx,
      ON,
    );
    expect(result.signal!.expectedProfitCc).toBe(34120);
  });
});

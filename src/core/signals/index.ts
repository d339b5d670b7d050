/** Signal detection for the game shard: pure functions of books, model and time (no I/O). */
export { detectArbitrage, exactCovers, type ArbitrageInput } from './arbitrage.js';
export { detectModelEdge, evaluateBuys, strongestBuy, type BuyCandidate, type BuyRules, type ModelEdgeInput } from './model-edge.js';
export { detectScoreChange, type ScoreChangeInput, type ScoreSnapshot } from './score-change.js';
export { SignalDebouncer } from './debounce.js';
export { bestSize, buyLadder, type Ladder, type LadderStep, type SizedFill } from './book-depth.js';
export {
  DEFAULT_SIGNAL_OPTIONS,
  resolveSignalOptions,
  type ArbitrageOptions,
  type DebounceOptions,
  type ModelEdgeOptions,
  type ScoreChangeOptions,
  type SignalOptions,
  type SignalOptionsOverrides,
} from './signal-options.js';
export {
  checkBooks,
  outcomesOf,
  type GameRef,
  type MarketBook,
  type ModelProbs,
  type Outcome,
  type Side,
  type SignalContext,
} from './signal-input.js';
export { SignalInputError } from './signal-input-error.js';
export { isExpired, type DetectedSignal, type Detection, type NoSignalReason } from './signal-result.js';

/**
 * What the detectors read, and the one place that checks it. Books arrive as the monitors publish
 * them (YES-side levels, best first); they are checked once and converted to integer centi-cents,
 * so the detectors only ever see clean, sorted, uncrossed books. A bad book is skipped with a
 * SignalInputError; the other books of the game are still used.
 */
import type { BookLevel } from '../book-level.js';
import { CC_PER_DOLLAR } from '../money.js';
import { isValidTopicId, SPORTS, VENUES, type Sport, type Venue } from '../topics.js';
import { SignalInputError } from './signal-input-error.js';

export type Outcome = 'home' | 'away' | 'draw';
export type Side = 'yes' | 'no';
export interface MarketBook {
  venue: Venue;
  market_id: string;
  /** The outcome this market's YES contract pays on. */
  outcome: Outcome;
  /** Team the YES contract pays on (abbreviation); null for a draw market. */
  team: string | null;
  /** Best first (highest), YES side. Buying NO hits these: NO at 1 - yes_bid. */
  yes_bids: readonly BookLevel[];
  /** Best first (lowest), YES side. Buying YES lifts these. */
  yes_asks: readonly BookLevel[];
  /** Set by the caller when the feed behind this book cannot be trusted now (silent, resyncing). */
  stale?: boolean;
  /** When the top of this book last changed (µs since the epoch); needed by score-change only. */
  changed_ts?: number | null;
  /**
   * Where these levels came from (origin_ts and seq of the price message), when the caller knows:
   * a signal's legs then carry the book they were priced on (SignalLeg.book).
   */
  origin_ts?: number;
  seq?: number;
}

export interface GameRef {
  game_id: string;
  sport: Sport;
}

/** Model probabilities of the outcomes. Away is 1 - home (- draw where draws exist). */
export interface ModelProbs {
  home: number;
  /** Only for sports with a draw; without it only the home market can be priced there. */
  draw?: number | null;
}

/** What the caller supplies for every emitted signal. */
export interface SignalContext {
  nowUs: number;
  newId: () => string;
}

export interface ValidLevel {
  readonly yesCc: number;
  readonly contracts: number;
}

export interface ValidBook {
  readonly venue: Venue;
  readonly market_id: string;
  readonly outcome: Outcome;
  readonly team: string | null;
  readonly bids: readonly ValidLevel[];
  readonly asks: readonly ValidLevel[];
  readonly changedTs: number | null;
  /** MarketBook.origin_ts/seq when given and well-formed, else null. */
  readonly origin: { readonly ts: number; readonly seq: number } | null;
}

export interface CheckedBooks {
  readonly books: readonly ValidBook[];
  /** Books left out because the caller flagged them stale (not an error). */
  readonly staleCount: number;
}

export function outcomesOf(sport: Sport, threeOutcomeSports: readonly Sport[]): readonly Outcome[] {
  return threeOutcomeSports.includes(sport) ? ['home', 'draw', 'away'] : ['home', 'away'];
}

export function checkGame(game: unknown, issues: SignalInputError[]): GameRef | null {
  const g = game as Partial<GameRef> | null;
  if (g === null || typeof g !== 'object') return reject(issues, 'game', 'is not an object');
  if (typeof g.game_id !== 'string' || !isValidTopicId(g.game_id)) {
    return reject(issues, 'game', `game_id ${JSON.stringify(g.game_id)} is not a valid id`);
  }
  if (!(SPORTS as readonly unknown[]).includes(g.sport)) {
    return reject(issues, 'game', `unknown sport ${JSON.stringify(g.sport)}`, { game_id: g.game_id });
  }
  return { game_id: g.game_id, sport: g.sport as Sport };
}

export function checkContext(ctx: unknown, issues: SignalInputError[]): SignalContext | null {
  const c = ctx as Partial<SignalContext> | null;
  if (c === null || typeof c !== 'object') return reject(issues, 'context', 'is not an object');
  if (!isMicros(c.nowUs)) return reject(issues, 'now', `nowUs ${String(c.nowUs)} is not a non-negative integer`);
  if (typeof c.newId !== 'function') return reject(issues, 'context', 'newId is not a function');
  return { nowUs: c.nowUs, newId: c.newId };
}

/** Checks a model's probabilities; returns null (with an issue) when they are unusable. */
export function checkModel(name: string, model: unknown, issues: SignalInputError[]): ModelProbs | null {
  const m = model as Partial<ModelProbs> | null;
  if (m === null || typeof m !== 'object') return reject(issues, name, 'is not an object');
  if (!isProbability(m.home)) return reject(issues, name, `home probability ${String(m.home)} is not in [0,1]`);
  const draw = m.draw ?? null;
  if (draw !== null) {
    if (!isProbability(draw)) return reject(issues, name, `draw probability ${String(draw)} is not in [0,1]`);
    if (m.home + draw > 1 + 1e-9) return reject(issues, name, `home + draw = ${m.home + draw} exceeds 1`);
  }
  return { home: m.home, draw };
}

/** Model probability that `outcome` happens, or null when the model does not price it. */
export function outcomeProbability(outcome: Outcome, model: ModelProbs, outcomes: readonly Outcome[]): number | null {
  const draw = model.draw ?? null;
  const threeWay = outcomes.includes('draw');
  if (outcome === 'home') return model.home;
  if (outcome === 'draw') return threeWay ? draw : null;
  if (!threeWay) return 1 - model.home;
  return draw === null ? null : Math.max(0, 1 - model.home - draw);
}

/** Validates and converts the books of one game; bad ones are skipped with an issue each. */
export function checkBooks(books: unknown, outcomes: readonly Outcome[], issues: SignalInputError[]): CheckedBooks {
  if (!Array.isArray(books)) {
    reject(issues, 'books', 'is not an array');
    return { books: [], staleCount: 0 };
  }
  const valid: ValidBook[] = [];
  const seen = new Set<string>();
  let staleCount = 0;
  for (const raw of books) {
    const book = checkBook(raw, outcomes, issues);
    if (book === null) continue;
    const key = `${book.venue}|${book.market_id}`;
    if (seen.has(key)) {
      reject(issues, 'book', 'the same market appears twice; the later copy was skipped', { market_id: book.market_id });
      continue;
    }
    seen.add(key);
    if ((raw as MarketBook).stale === true) {
      staleCount += 1;
      continue;
    }
    valid.push(book);
  }
  return { books: valid, staleCount };
}

function checkBook(raw: unknown, outcomes: readonly Outcome[], issues: SignalInputError[]): ValidBook | null {
  const b = raw as Partial<MarketBook> | null;
  if (b === null || typeof b !== 'object') return reject(issues, 'book', 'is not an object');
  const where = { market_id: typeof b.market_id === 'string' ? b.market_id : String(b.market_id) };
  if (!(VENUES as readonly unknown[]).includes(b.venue)) return reject(issues, 'book', `unknown venue ${String(b.venue)}`, where);
  if (typeof b.market_id !== 'string' || b.market_id.length === 0 || b.market_id.length > 128) {
    return reject(issues, 'book', 'market_id is not a non-empty string', where);
  }
  if (!outcomes.includes(b.outcome as Outcome)) {
    return reject(issues, 'book', `outcome ${String(b.outcome)} is not one of ${outcomes.join('/')} for this sport`, where);
  }
  if (b.team !== null && b.team !== undefined && typeof b.team !== 'string') return reject(issues, 'book', 'team is not a string', where);
  if (b.stale !== undefined && typeof b.stale !== 'boolean') return reject(issues, 'book', 'stale is not a boolean', where);
  const changed = b.changed_ts ?? null;
  if (changed !== null && !isMicros(changed)) return reject(issues, 'book', `changed_ts ${String(changed)} is not a time`, where);

  const bids = checkLevels(b.yes_bids, 'yes_bids', -1);
  if (typeof bids === 'string') return reject(issues, 'book', bids, where);
  const asks = checkLevels(b.yes_asks, 'yes_asks', 1);
  if (typeof asks === 'string') return reject(issues, 'book', asks, where);
  const bestBid = bids[0];
  const bestAsk = asks[0];
  if (bestBid !== undefined && bestAsk !== undefined && bestBid.yesCc >= bestAsk.yesCc) {
    return reject(issues, 'book', `crossed or locked: bid ${bestBid.yesCc / CC_PER_DOLLAR} >= ask ${bestAsk.yesCc / CC_PER_DOLLAR}`, where);
  }
  return {
    venue: b.venue as Venue,
    market_id: b.market_id,
    outcome: b.outcome as Outcome,
    team: b.team ?? null,
    bids,
    asks,
    changedTs: changed,
    origin: isMicros(b.origin_ts) ? { ts: b.origin_ts, seq: typeof b.seq === 'number' && Number.isSafeInteger(b.seq) && b.seq >= 0 ? b.seq : 0 } : null,
  };
}

/**
 * Levels must be [price, size] with a 4-decimal price in [0,1] and a finite size >= 0, sorted best
 * first (`direction` -1: descending bids, +1: ascending asks). Empty levels are dropped.
 */
function checkLevels(levels: unknown, name: string, direction: 1 | -1): ValidLevel[] | string {
  if (!Array.isArray(levels)) return `${name} is not an array`;
  const out: ValidLevel[] = [];
  let previous: number | null = null;
  for (const [i, level] of levels.entries()) {
    if (!Array.isArray(level) || level.length < 2) return `${name}[${i}] is not a [price, size] pair`;
    const [price, size] = level as unknown[];
    if (!isProbability(price)) return `${name}[${i}] price ${String(price)} is not in [0,1]`;
    const yesCc = Math.round(price * CC_PER_DOLLAR);
    if (Math.abs(price * CC_PER_DOLLAR - yesCc) > 1e-6) return `${name}[${i}] price ${price} has more than 4 decimals`;
    if (typeof size !== 'number' || !Number.isFinite(size) || size < 0) return `${name}[${i}] size ${String(size)} is not a count`;
    if (previous !== null && (yesCc - previous) * direction < 0) return `${name} is not sorted best first at [${i}]`;
    previous = yesCc;
    if (size > 0) out.push({ yesCc, contracts: size });
  }
  return out;
}

function isProbability(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}

function isMicros(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function reject(issues: SignalInputError[], input: string, problem: string, details: Record<string, unknown> = {}): null {
  issues.push(new SignalInputError(input, problem, details));
  return null;
}

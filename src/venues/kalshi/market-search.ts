/**
 * Kalshi game-winner discovery: series -> open events (with their markets) -> the event of this
 * game on this date -> one market per team (plus TIE in soccer).
 *
 * Which team a market pays on is read twice, from the ticker suffix (`...-LAL`, Kalshi's code,
 * which may differ from ESPN's) and from `yes_sub_title` ("Los Angeles L"). When both speak
 * they must agree; a contradiction rejects the whole event rather than trusting either.
 */
import { resolveOutcome, resolveTeamCode, type GameOutcome, type GameTeams, type OutcomeMatch } from '../../core/team-matching.js';
import { LEAGUE_KIND } from '../../core/team-aliases.js';
import type { Sport } from '../../core/topics.js';
import type { KalshiEvent, KalshiMarket } from './common.js';
import type { KalshiHttpClient } from './http.js';
import { ListedMarketSearch, type ListingTiming } from '../listed-market-search.js';
import {
  ambiguous,
  notFound,
  type DiscoveredMarket,
  type DiscoveryGame,
  type VenueSearchResult,
} from '../../core/market-discovery.js';

export interface KalshiMarketSearchOptions extends ListingTiming {
  series: Readonly<Record<Sport, readonly string[]>>;
  /** Markets recognised below this confidence count as unrecognised. */
  minConfidence: number;
  /** Pages of 200 events read per series at most. */
  maxPages: number;
}

type Verdict =
  | { kind: 'ok'; event: KalshiEvent; markets: DiscoveredMarket[]; exactDate: boolean }
  | { kind: 'conflict'; event: KalshiEvent; reason: string }
  | { kind: 'other' };

const EASTERN = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', year: '2-digit', month: 'short', day: '2-digit' });
const DAY_MS = 86_400_000;

/** Kalshi's date code of a US Eastern calendar day: `26NOV24`. */
export function kalshiDateCode(at: Date): string {
  const parts = Object.fromEntries(EASTERN.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}${String(parts.month).toUpperCase()}${parts.day}`;
}

/** The date code in an event ticker (`KXNBAGAME-26NOV24BOSLAL` -> `26NOV24`), or null. */
function eventDateCode(eventTicker: string): string | null {
  const m = /^[A-Z0-9]+-(\d{2}[A-Z]{3}\d{2})/.exec(eventTicker);
  return m ? m[1]! : null;
}

export class KalshiMarketSearch extends ListedMarketSearch<KalshiEvent> {
  readonly venue = 'kalshi' as const;

  constructor(
    private readonly client: KalshiHttpClient,
    private readonly options: Readonly<KalshiMarketSearchOptions>,
  ) {
    super(options);
  }

  protected listingKeys(sport: Sport): readonly string[] {
    return this.options.series[sport];
  }

  protected judgeEvents(game: DiscoveryGame, events: readonly KalshiEvent[]): VenueSearchResult {
    const series = this.options.series[game.sport];
    const teams: GameTeams = { sport: game.sport, home: game.home, away: game.away, draws: LEAGUE_KIND[game.sport] === 'soccer' };
    const today = kalshiDateCode(game.start);
    const adjacent = new Set([kalshiDateCode(new Date(game.start.getTime() - DAY_MS)), kalshiDateCode(new Date(game.start.getTime() + DAY_MS))]);
    const verdicts: Verdict[] = [];
    for (const event of events) {
      const code = eventDateCode(event.eventTicker);
      const exactDate = code === today;
      if (code !== null && !exactDate && !adjacent.has(code)) continue;
      verdicts.push(this.judge(event, teams, exactDate));
    }
    const oks = verdicts.filter((v): v is Extract<Verdict, { kind: 'ok' }> => v.kind === 'ok');
    // An event dated on the game's own (Eastern) day beats one dated a day off.
    const best = oks.some((v) => v.exactDate) ? oks.filter((v) => v.exactDate) : oks;
    const label = `${game.away.abbr} at ${game.home.abbr} on ${today}`;
    if (best.length === 1) return { status: 'found', reason: null, eventId: best[0]!.event.eventTicker, markets: best[0]!.markets };
    if (best.length > 1) {
      const nearest = nearestByStrike(best, game.start);
      if (nearest !== null) return { status: 'found', reason: null, eventId: nearest.event.eventTicker, markets: nearest.markets };
      return ambiguous(`several Kalshi events fit ${label}: ${best.map((v) => v.event.eventTicker).join(', ')}`);
    }
    const conflict = verdicts.find((v): v is Extract<Verdict, { kind: 'conflict' }> => v.kind === 'conflict');
    if (conflict !== undefined) return ambiguous(`Kalshi event ${conflict.event.eventTicker}: ${conflict.reason}`);
    return notFound(`no open Kalshi ${series.join('/')} event for ${label} (${events.length} open events listed)`);
  }

  protected async list(seriesTicker: string): Promise<KalshiEvent[]> {
    const out: KalshiEvent[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < this.options.maxPages; page++) {
      const res = await this.client.getEvents({ seriesTicker, status: 'open', withNestedMarkets: true, limit: 200, ...(cursor ? { cursor } : {}) });
      out.push(...res.events);
      if (res.cursor === null || seen.has(res.cursor)) break;
      seen.add(res.cursor);
      cursor = res.cursor;
    }
    return out;
  }

  private judge(event: KalshiEvent, teams: GameTeams, exactDate: boolean): Verdict {
    const byOutcome = new Map<GameOutcome, DiscoveredMarket>();
    const seen = new Set<GameOutcome>();
    const problems: string[] = [];
    for (const market of event.markets ?? []) {
      if (market.marketType !== 'binary') continue;
      const read = this.readMarket(market, event, teams);
      if (read.seen !== null) seen.add(read.seen);
      if (read.problem !== null) problems.push(read.problem);
      if (read.market === null) continue;
      if (byOutcome.has(read.market.outcome)) problems.push(`two markets pay on ${read.market.outcome} (${byOutcome.get(read.market.outcome)!.market_id}, ${read.market.market_id})`);
      else byOutcome.set(read.market.outcome, read.market);
    }
    // Only an event that names both of our teams is this game; anything else is another game.
    if (!(seen.has('home') && seen.has('away'))) return { kind: 'other' };
    const required: GameOutcome[] = teams.draws ? ['home', 'away', 'draw'] : ['home', 'away'];
    for (const o of required) if (!byOutcome.has(o)) problems.push(`no market pays on ${o}`);
    if (problems.length > 0) return { kind: 'conflict', event, reason: problems.join('; ') };
    return { kind: 'ok', event, markets: required.map((o) => byOutcome.get(o)!), exactDate };
  }

  /** The outcome one market pays on, from its ticker suffix and its YES label together. */
  private readMarket(market: KalshiMarket, event: KalshiEvent, teams: GameTeams): { market: DiscoveredMarket | null; seen: GameOutcome | null; problem: string | null } {
    const suffix = market.ticker.startsWith(`${event.eventTicker}-`)
      ? market.ticker.slice(event.eventTicker.length + 1)
      : (market.ticker.split('-').at(-1) ?? '');
    const byCode = resolveTeamCode(suffix, teams);
    const byLabel = market.yesSubTitle.trim() === '' ? null : resolveOutcome(market.yesSubTitle, teams);
    const decided = combine(byCode, byLabel);
    const seen = byCode.matched ? byCode.outcome : byLabel?.matched ? byLabel.outcome : null;
    if ('problem' in decided) return { market: null, seen, problem: `${market.ticker}: ${decided.problem}` };
    if (decided.confidence < this.options.minConfidence) {
      return { market: null, seen, problem: `${market.ticker}: recognised only at confidence ${decided.confidence}` };
    }
    const team = decided.outcome === 'home' ? teams.home.abbr : decided.outcome === 'away' ? teams.away.abbr : null;
    return {
      seen,
      problem: null,
      market: {
        venue: 'kalshi',
        market_id: market.ticker,
        team,
        outcome: decided.outcome,
        title: market.title ?? event.title,
        confidence: decided.confidence,
        method: decided.method,
        event_id: event.eventTicker,
      },
    };
  }
}

type Decision = { outcome: GameOutcome; confidence: number; method: string } | { problem: string };

function combine(byCode: OutcomeMatch, byLabel: OutcomeMatch | null): Decision {
  if (byCode.matched && byLabel?.matched) {
    if (byCode.outcome !== byLabel.outcome) {
      return { problem: `code ${byCode.phrase} says ${byCode.outcome} but label "${byLabel.phrase}" says ${byLabel.outcome}` };
    }
    return { outcome: byCode.outcome, confidence: 1, method: 'code+label' };
  }
  if (byCode.matched) {
    // A label naming a team outside the game contradicts the code; a merely vague one does not.
    if (byLabel !== null && !byLabel.matched && byLabel.foreign) return { problem: `code ${byCode.phrase} contradicted: ${byLabel.reason}` };
    return { outcome: byCode.outcome, confidence: byCode.confidence, method: 'code' };
  }
  if (byLabel?.matched) {
    if (byCode.foreign) return { problem: `label "${byLabel.phrase}" contradicted: ${byCode.reason}` };
    return { outcome: byLabel.outcome, confidence: byLabel.confidence, method: `label:${byLabel.method}` };
  }
  return { problem: byLabel === null ? byCode.reason : `${byCode.reason}; ${byLabel.reason}` };
}

/** The event whose strike date is clearly nearest the start (doubleheaders), or null. */
function nearestByStrike<T extends { event: KalshiEvent }>(candidates: T[], start: Date): T | null {
  const scored = candidates
    .map((c) => ({ c, d: c.event.strikeDate === null ? NaN : Math.abs(Date.parse(c.event.strikeDate) - start.getTime()) }))
    .filter((x) => Number.isFinite(x.d))
    .sort((a, b) => a.d - b.d);
  if (scored.length !== candidates.length) return null;
  const [first, second] = scored;
  return first !== undefined && second !== undefined && second.d - first.d >= 3_600_000 ? first.c : null;
}

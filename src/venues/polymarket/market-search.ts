/**
 * Polymarket game-winner discovery through Gamma: the league's open events (by tag slug) ->
 * the event of this game at this time -> the outcome token that pays on each result.
 *
 * Two listing shapes are understood: one moneyline market whose two outcomes are the teams
 * (`["Raiders","Broncos"]`, clobTokenIds index-aligned), and one Yes/No market per result
 * (soccer: "Will Arsenal win on ...?", "... end in a draw?"), where the Yes token pays. Each
 * label is resolved against this game's two teams; a label that fits both ("Tigers" in LSU v
 * Clemson) or neither leaves the event unassigned with the reason.
 */
import { resolveOutcome, resolveTeamCode, type GameOutcome, type GameTeams } from '../../core/team-matching.js';
import { LEAGUE_KIND } from '../../core/team-aliases.js';
import type { Sport } from '../../core/topics.js';
import type { GammaClient } from './gamma.js';
import type { GammaEvent, GammaMarket } from './parse.js';
import { ListedMarketSearch, type ListingTiming } from '../listed-market-search.js';
import {
  ambiguous,
  notFound,
  type DiscoveredMarket,
  type DiscoveryGame,
  type VenueSearchResult,
} from '../../core/market-discovery.js';

export interface PolymarketMarketSearchOptions extends ListingTiming {
  tagSlugs: Readonly<Record<Sport, readonly string[]>>;
  minConfidence: number;
  /** How far an event's start may be from the game's start (time zones, listing quirks). */
  startToleranceMs: number;
}

type Verdict =
  | { kind: 'ok'; event: GammaEvent; markets: DiscoveredMarket[]; startMs: number | null }
  | { kind: 'conflict'; event: GammaEvent; reason: string }
  | { kind: 'other' };

/** Words of a market question that make it something other than the game winner. */
const NOT_MONEYLINE = /\b(over|under|o\/u|total|spread|handicap|points|goals|runs|first half|1st half|2nd half|second half|quarter|period|inning|mvp|player|margin|exact|both teams|btts|double chance|\d+(\.\d+)?\+)\b|[+-]\d/i;

/** `2025-11-07 01:15:00+00` (Gamma's gameStartTime) or ISO -> epoch ms, or null. */
function parseGammaTime(s: string | null): number | null {
  if (s === null || s.trim() === '') return null;
  const iso = s.trim().replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

const isYesNo = (outcomes: readonly string[]): boolean =>
  outcomes.length === 2 && outcomes.some((o) => o.trim().toLowerCase() === 'yes') && outcomes.some((o) => o.trim().toLowerCase() === 'no');

export class PolymarketMarketSearch extends ListedMarketSearch<GammaEvent> {
  readonly venue = 'poly' as const;

  constructor(
    private readonly gamma: GammaClient,
    private readonly options: Readonly<PolymarketMarketSearchOptions>,
  ) {
    super(options);
  }

  protected listingKeys(sport: Sport): readonly string[] {
    return this.options.tagSlugs[sport];
  }

  protected judgeEvents(game: DiscoveryGame, listed: readonly GammaEvent[]): VenueSearchResult {
    // An event tagged with two of the league's tags is listed twice.
    const events = [...new Map(listed.map((e) => [e.id, e])).values()];
    const teams: GameTeams = { sport: game.sport, home: game.home, away: game.away, draws: LEAGUE_KIND[game.sport] === 'soccer' };
    const verdicts = events.filter((e) => this.nearStart(e, game.start)).map((e) => this.judge(e, teams));
    const oks = verdicts.filter((v): v is Extract<Verdict, { kind: 'ok' }> => v.kind === 'ok');
    const label = `${game.away.abbr} at ${game.home.abbr} starting ${game.start.toISOString()}`;
    if (oks.length === 1) return { status: 'found', reason: null, eventId: oks[0]!.event.id, markets: oks[0]!.markets };
    if (oks.length > 1) {
      const nearest = nearestStart(oks, game.start.getTime());
      if (nearest !== null) return { status: 'found', reason: null, eventId: nearest.event.id, markets: nearest.markets };
      return ambiguous(`several Polymarket events fit ${label}: ${oks.map((v) => v.event.slug).join(', ')}`);
    }
    const conflict = verdicts.find((v): v is Extract<Verdict, { kind: 'conflict' }> => v.kind === 'conflict');
    if (conflict !== undefined) return ambiguous(`Polymarket event ${conflict.event.slug}: ${conflict.reason}`);
    return notFound(`no open Polymarket ${this.options.tagSlugs[game.sport].join('/')} event for ${label} (${events.length} open events listed)`);
  }

  protected async list(tagSlug: string): Promise<GammaEvent[]> {
    const listing = await this.gamma.listEvents({ tagSlug, closed: false });
    return listing.items;
  }

  /** Whether the event starts near the game: its markets' gameStartTime, its startTime, else its slug's date. */
  private nearStart(event: GammaEvent, start: Date): boolean {
    const t = eventStart(event);
    if (t !== null) return Math.abs(t - start.getTime()) <= this.options.startToleranceMs;
    const day = /(\d{4}-\d{2}-\d{2})$/.exec(event.slug)?.[1];
    if (day === undefined) return false;
    return Math.abs(Date.parse(`${day}T12:00:00Z`) - start.getTime()) <= 36 * 3_600_000;
  }

  private judge(event: GammaEvent, teams: GameTeams): Verdict {
    const byOutcome = new Map<GameOutcome, DiscoveredMarket>();
    const seen = new Set<GameOutcome>();
    const problems: string[] = [];
    // The slug (`nba-bos-lal-2026-11-24`) names the teams by code: evidence that this is the game
    // even when its labels cannot tell the teams apart.
    for (const part of event.slug.split('-')) {
      const r = resolveTeamCode(part, teams);
      if (r.matched && r.outcome !== 'draw') seen.add(r.outcome);
    }
    const add = (m: DiscoveredMarket) => {
      const prev = byOutcome.get(m.outcome);
      if (prev !== undefined) problems.push(`two contracts pay on ${m.outcome} (${prev.gamma_market_id}, ${m.gamma_market_id})`);
      else byOutcome.set(m.outcome, m);
    };
    for (const market of event.markets) {
      if (!this.isGameWinner(market)) continue;
      if (market.clobTokenIds.length !== market.outcomes.length) {
        problems.push(`market ${market.id} has ${market.outcomes.length} outcomes but ${market.clobTokenIds.length} token ids`);
        continue;
      }
      if (isYesNo(market.outcomes)) this.readYesNo(market, event, teams, seen, problems, add);
      else this.readTeamOutcomes(market, event, teams, seen, problems, add);
    }
    if (!(seen.has('home') && seen.has('away'))) return { kind: 'other' };
    const required: GameOutcome[] = teams.draws ? ['home', 'away', 'draw'] : ['home', 'away'];
    for (const o of required) if (!byOutcome.has(o)) problems.push(`no contract pays on ${o}`);
    if (problems.length > 0) return { kind: 'conflict', event, reason: problems.join('; ') };
    return { kind: 'ok', event, markets: required.map((o) => byOutcome.get(o)!), startMs: eventStart(event) };
  }

  private isGameWinner(m: GammaMarket): boolean {
    if (m.closed || m.outcomes.length < 2) return false;
    if (m.sportsMarketType !== null) return m.sportsMarketType.toLowerCase() === 'moneyline';
    return !NOT_MONEYLINE.test(m.question ?? '');
  }

  /** A "Will X win?" market: the Yes token pays on the result the question names. */
  private readYesNo(
    market: GammaMarket,
    event: GammaEvent,
    teams: GameTeams,
    seen: Set<GameOutcome>,
    problems: string[],
    add: (m: DiscoveredMarket) => void,
  ): void {
    const r = resolveOutcome(market.question ?? '', teams);
    if (!r.matched) {
      problems.push(`market ${market.id} "${market.question ?? ''}": ${r.reason}`);
      return;
    }
    if (r.outcome !== 'draw') seen.add(r.outcome);
    if (r.confidence < this.options.minConfidence) {
      problems.push(`market ${market.id}: recognised only at confidence ${r.confidence}`);
      return;
    }
    const yes = market.outcomes.findIndex((o) => o.trim().toLowerCase() === 'yes');
    add(this.ref(market, event, teams, r.outcome, market.clobTokenIds[yes]!, market.clobTokenIds[1 - yes], r.confidence, `question:${r.method}`));
  }

  /** A market whose outcomes are the teams (and maybe the draw): each token pays on its label. */
  private readTeamOutcomes(
    market: GammaMarket,
    event: GammaEvent,
    teams: GameTeams,
    seen: Set<GameOutcome>,
    problems: string[],
    add: (m: DiscoveredMarket) => void,
  ): void {
    const reads = market.outcomes.map((label) => resolveOutcome(label, teams));
    for (const r of reads) if (r.matched && r.outcome !== 'draw') seen.add(r.outcome);
    const failed = reads.findIndex((r) => !r.matched || r.confidence < this.options.minConfidence);
    if (failed >= 0) {
      const r = reads[failed]!;
      problems.push(`market ${market.id} outcome "${market.outcomes[failed]}": ${r.matched ? `confidence ${r.confidence}` : r.reason}`);
      return;
    }
    const twoWay = market.outcomes.length === 2;
    reads.forEach((r, i) => {
      if (!r.matched) return;
      const other = twoWay ? market.clobTokenIds[1 - i] : undefined;
      add(this.ref(market, event, teams, r.outcome, market.clobTokenIds[i]!, other, r.confidence, `outcome:${r.method}`));
    });
  }

  private ref(
    market: GammaMarket,
    event: GammaEvent,
    teams: GameTeams,
    outcome: GameOutcome,
    tokenId: string,
    noTokenId: string | undefined,
    confidence: number,
    method: string,
  ): DiscoveredMarket {
    return {
      venue: 'poly',
      market_id: tokenId,
      team: outcome === 'home' ? teams.home.abbr : outcome === 'away' ? teams.away.abbr : null,
      outcome,
      title: market.question ?? event.title ?? event.slug,
      confidence,
      method,
      event_id: event.id,
      condition_id: market.conditionId,
      gamma_market_id: market.id,
      ...(noTokenId !== undefined ? { no_token_id: noTokenId } : {}),
    };
  }
}

function eventStart(event: GammaEvent): number | null {
  for (const m of event.markets) {
    const t = parseGammaTime(m.gameStartTime);
    if (t !== null) return t;
  }
  return parseGammaTime(event.startTime);
}

function nearestStart<T extends { startMs: number | null }>(candidates: T[], start: number): T | null {
  const scored = candidates
    .filter((c) => c.startMs !== null)
    .map((c) => ({ c, d: Math.abs(c.startMs! - start) }))
    .sort((a, b) => a.d - b.d);
  if (scored.length !== candidates.length) return null;
  const [first, second] = scored;
  return first !== undefined && second !== undefined && second.d - first.d >= 3_600_000 ? first.c : null;
}

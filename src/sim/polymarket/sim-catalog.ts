/**
 * The simulated venue's catalogue: one Gamma event per simulated game, with its game-winner
 * market(s) and their tokens, in Polymarket's real shape. A two-way sport gets one moneyline
 * market whose outcomes are the two teams, away first (`nba-bos-lal-2026-11-24`, outcomes
 * ["Celtics","Lakers"]). A sport with draws gets a neg-risk event of three Yes/No markets (home
 * win, draw, away win), as Polymarket lists soccer.
 */
import type { TickSize } from '../../venues/polymarket/common.js';
import type { Sport } from '../../core/topics.js';
import type { SimGameView } from '../world.js';
import { simConditionId, simQuestionId, simTokenId } from './sim-ids.js';

/** One token: the outcome label it pays on, and what that means for the game. */
export interface SimPolyToken {
  tokenId: string;
  /** Polymarket's outcome label: a team mascot ("Celtics") or "Yes"/"No". */
  outcome: string;
  /** Abbreviation of the team of `result`; null for the draw. */
  team: string | null;
  /** The game result this token's market is about. */
  result: 'home' | 'away' | 'draw';
  /** True when the token pays if `result` happens (false for a "No" token). */
  paysOnResult: boolean;
}

export interface SimPolyMarket {
  id: string;
  conditionId: string;
  questionId: string;
  slug: string;
  question: string;
  groupItemTitle: string;
  eventId: string;
  gameId: string;
  negRisk: boolean;
  tickSize: TickSize;
  minOrderSize: number;
  tokens: SimPolyToken[];
  closed: boolean;
  /** null while open, and after a 50-50 resolution. */
  winningTokenId: string | null;
  volume: number;
}

export interface SimPolyEvent {
  id: string;
  slug: string;
  title: string;
  sport: Sport;
  negRisk: boolean;
  game: SimGameView;
  markets: SimPolyMarket[];
}

export interface SimTag {
  id: string;
  label: string;
  slug: string;
}

const SPORTS_TAG: SimTag = { id: '1', label: 'Sports', slug: 'sports' };
const GAMES_TAG: SimTag = { id: '100639', label: 'Games', slug: 'games' };
const LEAGUE_TAGS: Record<Sport, SimTag> = {
  nfl: { id: '450', label: 'NFL', slug: 'nfl' },
  ncaaf: { id: '100351', label: 'NCAAF', slug: 'ncaaf' },
  nba: { id: '745', label: 'NBA', slug: 'nba' },
  ncaab: { id: '100149', label: 'NCAAB', slug: 'ncaab' },
  nhl: { id: '899', label: 'NHL', slug: 'nhl' },
  mlb: { id: '100381', label: 'MLB', slug: 'mlb' },
  mls: { id: '100100', label: 'MLS', slug: 'mls' },
  epl: { id: '82', label: 'EPL', slug: 'epl' },
};
const THREE_WAY: ReadonlySet<Sport> = new Set<Sport>(['mls', 'epl']);

export function tagsFor(sport: Sport): SimTag[] {
  return [SPORTS_TAG, GAMES_TAG, LEAGUE_TAGS[sport]];
}

export function eventSlug(game: SimGameView): string {
  const day = game.startTime.toISOString().slice(0, 10);
  return `${game.sport}-${game.away.abbr.toLowerCase()}-${game.home.abbr.toLowerCase()}-${day}`;
}

export interface SimCatalogOptions {
  seed: string;
  tickSize: TickSize;
  minOrderSize: number;
}

export class SimCatalog {
  private readonly events = new Map<string, SimPolyEvent>();
  private readonly eventByGame = new Map<string, SimPolyEvent>();
  private readonly markets = new Map<string, SimPolyMarket>();
  private readonly marketByCondition = new Map<string, SimPolyMarket>();
  private readonly tokenMarket = new Map<string, SimPolyMarket>();
  private nextEventId = 81_000;
  private nextMarketId = 613_000;

  constructor(private readonly opts: Readonly<SimCatalogOptions>) {}

  /** Lists a game (idempotent: listing it again refreshes its state and returns the same event). */
  list(game: SimGameView): SimPolyEvent {
    const existing = this.eventByGame.get(game.id);
    if (existing) {
      existing.game = game;
      return existing;
    }
    const ev: SimPolyEvent = {
      id: String(this.nextEventId++),
      slug: eventSlug(game),
      title: `${game.away.mascot} vs. ${game.home.mascot}`,
      sport: game.sport,
      negRisk: THREE_WAY.has(game.sport),
      game,
      markets: [],
    };
    ev.markets = ev.negRisk ? this.threeWay(ev, game) : [this.moneyline(ev, game)];
    this.events.set(ev.id, ev);
    this.eventByGame.set(game.id, ev);
    for (const m of ev.markets) {
      this.markets.set(m.id, m);
      this.marketByCondition.set(m.conditionId, m);
      for (const t of m.tokens) this.tokenMarket.set(t.tokenId, m);
    }
    return ev;
  }

  update(game: SimGameView): SimPolyEvent | undefined {
    const ev = this.eventByGame.get(game.id);
    if (ev) ev.game = game;
    return ev;
  }

  allEvents(): SimPolyEvent[] {
    return [...this.events.values()];
  }

  allMarkets(): SimPolyMarket[] {
    return [...this.markets.values()];
  }

  event(id: string): SimPolyEvent | undefined {
    return this.events.get(id);
  }

  eventOfGame(gameId: string): SimPolyEvent | undefined {
    return this.eventByGame.get(gameId);
  }

  eventOfMarket(m: SimPolyMarket): SimPolyEvent {
    return this.events.get(m.eventId) as SimPolyEvent;
  }

  market(id: string): SimPolyMarket | undefined {
    return this.markets.get(id);
  }

  marketByConditionId(conditionId: string): SimPolyMarket | undefined {
    return this.marketByCondition.get(conditionId);
  }

  marketOfToken(tokenId: string): SimPolyMarket | undefined {
    return this.tokenMarket.get(tokenId);
  }

  token(tokenId: string): SimPolyToken | undefined {
    return this.tokenMarket.get(tokenId)?.tokens.find((t) => t.tokenId === tokenId);
  }

  private newMarket(ev: SimPolyEvent, game: SimGameView, key: string, slug: string, question: string, group: string): SimPolyMarket {
    const conditionId = simConditionId(this.opts.seed, game.id, key);
    return {
      id: String(this.nextMarketId++),
      conditionId,
      questionId: simQuestionId(this.opts.seed, conditionId),
      slug,
      question,
      groupItemTitle: group,
      eventId: ev.id,
      gameId: game.id,
      negRisk: ev.negRisk,
      tickSize: this.opts.tickSize,
      minOrderSize: this.opts.minOrderSize,
      tokens: [],
      closed: false,
      winningTokenId: null,
      volume: 0,
    };
  }

  /** Outcomes [away, home], as Polymarket orders "Away vs. Home". */
  private moneyline(ev: SimPolyEvent, game: SimGameView): SimPolyMarket {
    const m = this.newMarket(ev, game, 'moneyline', ev.slug, ev.title, ev.title);
    m.tokens = [
      { tokenId: simTokenId(this.opts.seed, m.conditionId, 0), outcome: game.away.mascot, team: game.away.abbr, result: 'away', paysOnResult: true },
      { tokenId: simTokenId(this.opts.seed, m.conditionId, 1), outcome: game.home.mascot, team: game.home.abbr, result: 'home', paysOnResult: true },
    ];
    return m;
  }

  private threeWay(ev: SimPolyEvent, game: SimGameView): SimPolyMarket[] {
    const results: [result: 'home' | 'draw' | 'away', slugPart: string, question: string, group: string, team: string | null][] = [
      ['home', game.home.abbr.toLowerCase(), `Will ${game.home.name} win on ${ev.slug.slice(-10)}?`, game.home.name, game.home.abbr],
      ['draw', 'draw', `Will ${game.home.name} vs. ${game.away.name} end in a draw?`, 'Draw', null],
      ['away', game.away.abbr.toLowerCase(), `Will ${game.away.name} win on ${ev.slug.slice(-10)}?`, game.away.name, game.away.abbr],
    ];
    return results.map(([result, part, question, group, team]) => {
      const m = this.newMarket(ev, game, `winner-${result}`, `${ev.slug}-${part}`, question, group);
      m.tokens = [
        { tokenId: simTokenId(this.opts.seed, m.conditionId, 0), outcome: 'Yes', team, result, paysOnResult: true },
        { tokenId: simTokenId(this.opts.seed, m.conditionId, 1), outcome: 'No', team, result, paysOnResult: false },
      ];
      return m;
    });
  }
}

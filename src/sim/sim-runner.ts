/**
 * The whole simulated outside world in one object: a seeded SimWorld of games, the ESPN server
 * showing them, and a Kalshi and a Polymarket venue listing a game-winner market for each,
 * quoted by one market maker per market per venue and settled at each game's final.
 *
 * The two venues' makers use different seeds, so their prices differ a little all the time and
 * now and then a lot (out-of-line episodes): cross-venue arbitrage appears on its own. Maker
 * timings (lag, noise, episodes) are given in real time and scaled by the world's speed, so a
 * faster world does not make the market react faster than a trading system can.
 *
 * Deterministic for a seed and start time: same games, tickers, token ids and quotes.
 */
import { ArbeesError } from '../core/errors.js';
import type { Sport } from '../core/topics.js';
import { EspnSimServer } from './espn/espn-sim-server.js';
import { hashSeed } from './engines/rng.js';
import { KalshiSimVenue } from './kalshi/kalshi-sim-venue.js';
import { DEFAULT_MARKET_MAKER_OPTIONS, MarketMaker, type MarketMakerOptions } from './market-maker.js';
import { PolymarketSimVenue } from './polymarket/polymarket-sim-venue.js';
import { ProbTrail, type Outcome } from './prob-trail.js';
import { mirrorLadder, sameLadder } from './quote-ladders.js';
import { DEFAULT_SIM_PORTS, type SimEndpoints, type SimPorts } from './sim-endpoints.js';
import { DEFAULT_SIM_WORLD_OPTIONS, SimulatedWorld } from './sim-world.js';
import type { QuoteLadder, SimGameView } from './world.js';

/** Maker timings in real (wall-clock) milliseconds; scaled by the speed into simulated time. */
export interface MakerTimings {
  lagMs: number;
  noiseIntervalMs: number;
  episodeWindowMs: number;
  episodeDurationMs: number;
}

export interface SimRunnerOptions {
  seed: number;
  /** Simulated seconds per real second, 1-60. */
  speed: number;
  games: number;
  leagues: readonly Sport[];
  /** Share of games under way at start, and starting within 30 simulated minutes. */
  liveShare: number;
  soonShare: number;
  /** Simulated time at start, epoch ms (default: now). */
  startMs: number | undefined;
  /** 'manual' for tests: only step() moves the world (quotes still need pushQuotes()). */
  clock: 'real' | 'manual';
  worldTickMs: number;
  host: string;
  /** 0 picks a free port. */
  ports: SimPorts;
  /** How often (real ms) every market's ladder is recomputed and pushed when it changed. */
  quoteIntervalMs: number;
  makerTimings: MakerTimings;
  /** Maker options other than its seed and timings (spread, levels, episode size...). */
  maker: Partial<Omit<MarketMakerOptions, 'seed' | keyof MakerTimings>>;
  /** Kalshi API keys the venue accepts (public keys, PEM). */
  kalshiKeys: readonly { keyId: string; publicKeyPem: string }[];
}

const DEFAULT_SIM_RUNNER_OPTIONS: Readonly<SimRunnerOptions> = Object.freeze({
  seed: 1,
  speed: 10,
  games: 24,
  leagues: DEFAULT_SIM_WORLD_OPTIONS.leagues,
  liveShare: 0.4,
  soonShare: 0.25,
  startMs: undefined,
  clock: 'real' as const,
  worldTickMs: 250,
  host: '127.0.0.1',
  ports: DEFAULT_SIM_PORTS,
  quoteIntervalMs: 250,
  makerTimings: Object.freeze({
    lagMs: DEFAULT_MARKET_MAKER_OPTIONS.lagMs,
    noiseIntervalMs: DEFAULT_MARKET_MAKER_OPTIONS.noiseIntervalMs,
    episodeWindowMs: DEFAULT_MARKET_MAKER_OPTIONS.episodeWindowMs,
    episodeDurationMs: DEFAULT_MARKET_MAKER_OPTIONS.episodeDurationMs,
  }),
  maker: Object.freeze({}),
  kalshiKeys: Object.freeze([]),
});

export type SimVenueName = 'kalshi' | 'poly';

/** One market a maker quotes: a Kalshi ticker, or a Polymarket token (with its complement). */
export interface QuotedMarketInfo {
  venue: SimVenueName;
  /** Kalshi ticker, or the Polymarket token the maker quotes directly. */
  id: string;
  /** Polymarket: the other token of the market, quoted as the mirror image. */
  mirrorId: string | null;
  gameId: string;
  /** The game result the quoted contract is about... */
  outcome: Outcome;
  /** ...and whether it pays when that result does NOT happen (a Polymarket "No" token). */
  complement: boolean;
}

interface QuotedMarket extends QuotedMarketInfo {
  maker: MarketMaker;
  last: QuoteLadder | null;
  done: boolean;
}

export interface SimRunnerStats {
  gamesLive: number;
  gamesFinal: number;
  gamesScheduled: number;
  marketsQuoted: number;
  quotesComputed: number;
  quotesPushed: number;
  quoteErrors: number;
  gamesSettled: number;
  settleErrors: number;
  kalshiTrades: number;
  polyTrades: number;
  ordersMatched: number;
  quoteCpuMsTotal: number;
  quoteCpuMsMax: number;
  simTimeMs: number;
}

function invalid(problem: string): never {
  throw new ArbeesError('ARB_SIM_INVALID', `SimRunner: ${problem}`);
}

function validated(options: Partial<SimRunnerOptions>): Readonly<SimRunnerOptions> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: SimRunnerOptions = {
    ...DEFAULT_SIM_RUNNER_OPTIONS,
    ...defined,
    ports: { ...DEFAULT_SIM_RUNNER_OPTIONS.ports, ...options.ports },
    makerTimings: { ...DEFAULT_SIM_RUNNER_OPTIONS.makerTimings, ...options.makerTimings },
  };
  for (const [name, port] of Object.entries(o.ports)) {
    if (!Number.isInteger(port) || port < 0 || port > 65535) invalid(`port ${name} must be an integer in [0, 65535]`);
  }
  if (!(o.quoteIntervalMs >= 10 && o.quoteIntervalMs <= 60_000)) invalid('quoteIntervalMs must be within [10, 60000]');
  for (const [name, ms] of Object.entries(o.makerTimings)) if (!(ms >= 0)) invalid(`makerTimings.${name} must be >= 0`);
  return Object.freeze({ ...o, ports: Object.freeze(o.ports), makerTimings: Object.freeze(o.makerTimings) });
}

export class SimRunner {
  readonly options: Readonly<SimRunnerOptions>;
  readonly world: SimulatedWorld;
  readonly espn: EspnSimServer;
  readonly kalshi: KalshiSimVenue;
  readonly poly: PolymarketSimVenue;
  private readonly trails = new Map<string, ProbTrail>();
  private readonly markets: QuotedMarket[] = [];
  private readonly marketsByGame = new Map<string, QuotedMarket[]>();
  private readonly settled = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private endpointsValue: SimEndpoints | null = null;
  private readonly lagSimMs: number;
  private readonly counters = {
    quotesComputed: 0,
    quotesPushed: 0,
    quoteErrors: 0,
    gamesSettled: 0,
    settleErrors: 0,
    kalshiTrades: 0,
    polyTrades: 0,
    quoteCpuMsTotal: 0,
    quoteCpuMsMax: 0,
  };

  constructor(options: Partial<SimRunnerOptions> = {}) {
    const o = (this.options = validated(options));
    this.world = new SimulatedWorld({
      seed: o.seed,
      games: o.games,
      leagues: o.leagues,
      speed: o.speed,
      clock: o.clock,
      tickMs: o.worldTickMs,
      liveShare: o.liveShare,
      soonShare: o.soonShare,
      ...(o.startMs !== undefined ? { startMs: o.startMs } : {}),
    });
    this.lagSimMs = o.makerTimings.lagMs * o.speed;
    this.espn = new EspnSimServer(this.world, { host: o.host, port: o.ports.espn });
    this.kalshi = new KalshiSimVenue({ seed: o.seed, host: o.host, port: o.ports.kalshi });
    this.poly = new PolymarketSimVenue({ seed: `arbees-sim-${o.seed}`, host: o.host, gammaPort: o.ports.gamma, clobPort: o.ports.clob });
    for (const k of o.kalshiKeys) this.kalshi.registerKey(k.keyId, k.publicKeyPem);
    for (const game of this.world.games()) this.listGame(game);
    this.world.on('update', (g) => this.onUpdate(g));
    this.world.on('final', (g) => this.onFinal(g));
    this.kalshi.exchange.on('trade', () => this.counters.kalshiTrades++);
    this.poly.on('trade', () => this.counters.polyTrades++);
    // Games already over when the world was built never emit 'final': settle them now.
    for (const game of this.world.games()) if (game.status === 'final') this.onFinal(game);
    this.pushQuotes();
  }

  /** Starts the servers and the clocks; returns where the clients connect. */
  async start(): Promise<SimEndpoints> {
    if (this.endpointsValue) return this.endpointsValue;
    try {
      const { baseUrl } = await this.espn.start();
      const k = await this.kalshi.start();
      const p = await this.poly.start();
      this.endpointsValue = Object.freeze({
        espnBaseUrl: baseUrl,
        kalshiRestUrl: k.restUrl,
        kalshiWsUrl: k.wsUrl,
        polyGammaUrl: p.gammaUrl,
        polyClobUrl: p.clobUrl,
        polyWsUrl: p.wsUrl,
      });
    } catch (err) {
      await this.close();
      throw err;
    }
    this.world.start();
    if (this.options.clock === 'real') {
      this.timer = setInterval(() => this.pushQuotes(), this.options.quoteIntervalMs);
      this.timer.unref?.();
    }
    return this.endpointsValue;
  }

  get endpoints(): SimEndpoints | null {
    return this.endpointsValue;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.world.close();
    await Promise.allSettled([this.espn.close(), this.kalshi.close(), this.poly.close()]);
  }

  /** Every quoted market (one per Kalshi ticker, one per Polymarket market). */
  quotedMarkets(): QuotedMarketInfo[] {
    return this.markets.map(({ venue, id, mirrorId, gameId, outcome, complement }) => ({ venue, id, mirrorId, gameId, outcome, complement }));
  }

  /** The ladder last pushed for a quoted market id (Kalshi ticker or quoted token), if any. */
  lastQuote(id: string): QuoteLadder | null {
    return this.markets.find((m) => m.id === id)?.last ?? null;
  }

  /** The true probability the contract `id` pays, now. */
  trueProbability(info: Pick<QuotedMarketInfo, 'gameId' | 'outcome' | 'complement'>): number | null {
    const g = this.world.game(info.gameId);
    if (!g) return null;
    const p = info.outcome === 'home' ? g.homeWinProb : info.outcome === 'draw' ? g.drawProb : Math.max(0, 1 - g.homeWinProb - g.drawProb);
    return info.complement ? 1 - p : p;
  }

  /** Recomputes every open market's ladder at the current simulated time; pushes the changed ones. */
  pushQuotes(): void {
    const t0 = performance.now();
    const nowMs = this.world.now().getTime();
    const cutoff = nowMs - this.lagSimMs - 1_000;
    for (const trail of this.trails.values()) if (trail.size > 16) trail.trim(cutoff);
    for (const m of this.markets) {
      if (m.done) continue;
      const trail = this.trails.get(m.gameId);
      if (!trail) continue;
      this.counters.quotesComputed++;
      const ladder = m.maker.quote(nowMs, trail.points(m.outcome, m.complement));
      if (sameLadder(m.last, ladder)) continue;
      try {
        if (m.venue === 'kalshi') this.kalshi.setMakerQuotes(m.id, ladder);
        else {
          this.poly.setMakerQuotes(m.id, ladder);
          if (m.mirrorId !== null) this.poly.setMakerQuotes(m.mirrorId, mirrorLadder(ladder));
        }
        m.last = ladder;
        this.counters.quotesPushed++;
      } catch {
        // A market the venue no longer accepts quotes on (settled, closed): stop quoting it.
        this.counters.quoteErrors++;
        m.done = true;
      }
    }
    const spent = performance.now() - t0;
    this.counters.quoteCpuMsTotal += spent;
    this.counters.quoteCpuMsMax = Math.max(this.counters.quoteCpuMsMax, spent);
  }

  stats(): SimRunnerStats {
    const views = this.world.games();
    const c = this.counters;
    return {
      gamesLive: views.filter((g) => g.status === 'live' || g.status === 'halftime' || g.status === 'delayed').length,
      gamesFinal: views.filter((g) => g.status === 'final').length,
      gamesScheduled: views.filter((g) => g.status === 'scheduled').length,
      marketsQuoted: this.markets.filter((m) => !m.done).length,
      ...c,
      ordersMatched: c.kalshiTrades + c.polyTrades,
      simTimeMs: this.world.now().getTime(),
      quoteCpuMsTotal: Math.round(c.quoteCpuMsTotal * 10) / 10,
      quoteCpuMsMax: Math.round(c.quoteCpuMsMax * 100) / 100,
    };
  }

  // -------------------------------------------------------------------------------- internals

  private makerFor(venue: SimVenueName, id: string): MarketMaker {
    const o = this.options;
    const t = o.makerTimings;
    return new MarketMaker({
      ...o.maker,
      seed: hashSeed(o.seed, venue, id),
      lagMs: t.lagMs * o.speed,
      noiseIntervalMs: Math.max(1, t.noiseIntervalMs * o.speed),
      episodeWindowMs: Math.max(1, t.episodeWindowMs * o.speed),
      episodeDurationMs: Math.min(t.episodeDurationMs, t.episodeWindowMs) * o.speed,
    });
  }

  private listGame(game: SimGameView): void {
    this.trails.set(game.id, new ProbTrail(this.world.probHistory(game.id)));
    const quoted: QuotedMarket[] = [];
    this.kalshi.listGame(game);
    for (const { ticker, outcome } of this.kalshi.gameMarkets(game.id)) {
      quoted.push(this.quoted({ venue: 'kalshi', id: ticker, mirrorId: null, gameId: game.id, outcome, complement: false }));
    }
    for (const market of this.poly.listGame(game).markets) {
      const [anchor, other] = market.tokens;
      if (!anchor) continue;
      quoted.push(
        this.quoted({
          venue: 'poly',
          id: anchor.tokenId,
          mirrorId: other?.tokenId ?? null,
          gameId: game.id,
          outcome: anchor.result,
          complement: !anchor.paysOnResult,
        }),
      );
    }
    this.markets.push(...quoted);
    this.marketsByGame.set(game.id, quoted);
  }

  private quoted(info: QuotedMarketInfo): QuotedMarket {
    return { ...info, maker: this.makerFor(info.venue, info.id), last: null, done: false };
  }

  private onUpdate(game: SimGameView): void {
    const last = this.world.probHistory(game.id).at(-1);
    if (last) this.trails.get(game.id)?.push(last);
    this.poly.updateGame(game);
  }

  private onFinal(game: SimGameView): void {
    if (this.settled.has(game.id)) return;
    this.settled.add(game.id);
    for (const m of this.marketsByGame.get(game.id) ?? []) m.done = true;
    this.poly.updateGame(game);
    if (game.winner === null) return;
    try {
      this.kalshi.settleGame(game);
      this.poly.settleGame(game.id, game.winner);
      this.counters.gamesSettled++;
    } catch {
      this.counters.settleErrors++;
    }
  }
}

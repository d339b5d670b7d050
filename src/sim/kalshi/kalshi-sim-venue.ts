/**
 * A Kalshi-compatible venue on localhost: the same REST paths, WebSocket protocol, signatures
 * and wire format as Trade API v2, so the real client (src/venues/kalshi) cannot tell it from
 * the exchange. Game-winner markets are listed from the simulated games (two per game, three
 * in soccer), quoted by market makers through setMakerQuotes, traded by signed members, and
 * settled at $1 per winning contract.
 *
 * Deterministic for a given seed and call order: market, order and trade ids come from a
 * seeded generator, and the clock can be injected.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VenueFeeRule } from '../../core/fees.js';
import { CC_PER_DOLLAR } from '../../core/money.js';
import type { QuoteLadder, SimGameView } from '../world.js';
import { KalshiSimRestApi, REST_ROOT, type SimEventInfo, type SimRestFaults } from './rest-server.js';
import type { SimAccount } from './sim-account.js';
import { KalshiSimExchange, type SimTop } from './sim-exchange.js';
import { SimKeyRing } from './sim-key-ring.js';
import { SeededIds } from './seeded-ids.js';
import { kalshiGameTickers } from './tickers.js';
import { KalshiSimWsServer, WS_PATH, type SimWsFaults } from './ws-server.js';

export interface KalshiSimVenueOptions {
  seed?: number | string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  now?: () => number;
  fees?: VenueFeeRule;
  /** Cash of each registered key, centi-cents (default $10,000). */
  startingBalanceCc?: number;
  /** Kalshi pings every 10 s. */
  pingIntervalMs?: number;
  /** Accepted difference between a request's timestamp and our clock. */
  maxClockSkewMs?: number;
  /** Enforce token buckets like Kalshi (cost 10 per request); unset = unlimited. */
  rateLimit?: { readTokensPerSecond: number; writeTokensPerSecond: number };
  /** What `GET /series/{ticker}` publishes for every series (default quadratic, multiplier 1). */
  seriesFee?: { feeType: string; feeMultiplier: number };
}

const DEFAULTS = {
  seed: 1,
  host: '127.0.0.1',
  port: 0,
  startingBalanceCc: 10_000 * CC_PER_DOLLAR,
  pingIntervalMs: 10_000,
  maxClockSkewMs: 60_000,
};

interface ListedGame {
  gameId: string;
  event: SimEventInfo;
  outcomes: Map<string, 'home' | 'away' | 'draw'>;
}

export class KalshiSimVenue {
  readonly options: Readonly<
    typeof DEFAULTS & { now: () => number; fees?: VenueFeeRule; rateLimit?: KalshiSimVenueOptions['rateLimit']; seriesFee?: KalshiSimVenueOptions['seriesFee'] }
  >;
  readonly exchange: KalshiSimExchange;
  readonly #keys: SimKeyRing;
  readonly #rest: KalshiSimRestApi;
  readonly #ws: KalshiSimWsServer;
  readonly #games = new Map<string, ListedGame>();
  readonly #events = new Map<string, SimEventInfo>();
  #server: Server | null = null;

  constructor(options: KalshiSimVenueOptions = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = Object.freeze({ ...DEFAULTS, now: Date.now, ...defined });
    const now = this.options.now;
    this.exchange = new KalshiSimExchange({
      ids: new SeededIds(this.options.seed),
      now,
      ...(this.options.fees ? { fees: this.options.fees } : {}),
    });
    this.#keys = new SimKeyRing(this.options.maxClockSkewMs, now);
    this.#rest = new KalshiSimRestApi({
      exchange: this.exchange,
      keys: this.#keys,
      events: () => [...this.#events.values()],
      now,
      rateLimit: this.options.rateLimit,
      seriesFee: this.options.seriesFee,
    });
    this.#ws = new KalshiSimWsServer({ exchange: this.exchange, keys: this.#keys, now, pingIntervalMs: this.options.pingIntervalMs });
  }

  /** Test hooks: injected REST failures, sequence gaps, dropped connections. */
  get faults(): SimRestFaults & SimWsFaults {
    return {
      failNext: (count, status, only) => this.#rest.failNext(count, status, only),
      skipSeq: (count) => this.#ws.skipSeq(count),
      dropConnections: () => this.#ws.dropConnections(),
      refuseSnapshotRequests: (refuse) => this.#ws.refuseSnapshotRequests(refuse),
    };
  }

  get wsConnections(): number {
    return this.#ws.connectionCount;
  }

  async start(): Promise<{ restUrl: string; wsUrl: string }> {
    if (!this.#server) {
      const server = createServer((req, res) => void this.#rest.handle(req, res));
      server.on('upgrade', (req, socket, head) => this.#ws.handleUpgrade(req, socket, head));
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port, this.options.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.#server = server;
    }
    const { port } = this.#server.address() as AddressInfo;
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return { restUrl: `http://${host}:${port}${REST_ROOT}`, wsUrl: `ws://${host}:${port}${WS_PATH}` };
  }

  /** Lists a game's winner markets (idempotent per game id) and returns their tickers. */
  listGame(game: SimGameView): string[] {
    const listed = this.#games.get(game.id);
    if (listed) return listed.event.tickers;
    let names = kalshiGameTickers(game);
    for (let n = 2; this.#events.has(names.event); n++) names = kalshiGameTickers(game, `G${n}`);
    const start = game.startTime.getTime();
    const title = `${game.away.location} at ${game.home.location} Winner?`;
    const outcomes = new Map<string, 'home' | 'away' | 'draw'>();
    for (const spec of names.markets) {
      const team = spec.outcome === 'home' ? game.home : spec.outcome === 'away' ? game.away : null;
      const label = team ? team.location : 'Tie';
      this.exchange.addMarket({
        ticker: spec.ticker,
        eventTicker: names.event,
        seriesTicker: names.series,
        gameId: game.id,
        title,
        yesSubTitle: label,
        noSubTitle: label,
        openTimeMs: Math.min(start, this.options.now()) - 86_400_000,
        closeTimeMs: start + 14 * 86_400_000,
        expectedExpirationMs: start + 4 * 3_600_000,
      });
      outcomes.set(spec.ticker, spec.outcome);
    }
    const event: SimEventInfo = {
      eventTicker: names.event,
      seriesTicker: names.series,
      title: `${game.away.location} at ${game.home.location}`,
      subTitle: `${game.away.abbr} at ${game.home.abbr}`,
      strikeDateMs: start,
      tickers: names.markets.map((m) => m.ticker),
    };
    this.#events.set(names.event, event);
    this.#games.set(game.id, { gameId: game.id, event, outcomes });
    return event.tickers;
  }

  /** Tickers and outcomes of a listed game. */
  gameMarkets(gameId: string): { ticker: string; outcome: 'home' | 'away' | 'draw' }[] {
    const g = this.#games.get(gameId);
    return g ? [...g.outcomes].map(([ticker, outcome]) => ({ ticker, outcome })) : [];
  }

  setMakerQuotes(ticker: string, ladder: QuoteLadder): void {
    this.exchange.setMakerQuotes(ticker, ladder);
  }

  top(ticker: string): SimTop {
    return this.exchange.top(ticker);
  }

  settle(ticker: string, result: 'yes' | 'no'): void {
    this.exchange.settle(ticker, result);
  }

  /** Settles every market of a finished game from its winner. */
  settleGame(game: SimGameView): void {
    const listed = this.#games.get(game.id);
    if (!listed || game.winner === null) return;
    for (const [ticker, outcome] of listed.outcomes) this.settle(ticker, outcome === game.winner ? 'yes' : 'no');
  }

  registerKey(keyId: string, publicKeyPem: string, startingBalanceCc = this.options.startingBalanceCc): SimAccount {
    this.#keys.register(keyId, publicKeyPem);
    return this.exchange.openAccount(keyId, startingBalanceCc);
  }

  async close(): Promise<void> {
    await this.#ws.close();
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

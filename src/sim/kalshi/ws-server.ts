/**
 * The simulator's WebSocket at /trade-api/ws/v2, speaking Kalshi's protocol: a signed upgrade
 * (401 otherwise), subscribe / unsubscribe / update_subscription (add_markets, delete_markets,
 * get_snapshot) / list_subscriptions, `orderbook_snapshot` + `orderbook_delta` numbered per
 * subscription, `ticker` and `trade`, and a Ping with body "heartbeat" every 10 s.
 *
 * Faults for tests: skip sequence numbers (a gap the client must notice) and drop every
 * connection (the client must reconnect and resubscribe).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CC_PER_DOLLAR } from '../../core/money.js';
import type { KalshiSimExchange, SimLevelDelta, SimTop, SimTrade } from './sim-exchange.js';
import type { SimKeyRing } from './sim-key-ring.js';
import { contracts, dollars, iso } from './sim-wire.js';

export const WS_PATH = '/trade-api/ws/v2';

type Channel = 'orderbook_delta' | 'ticker' | 'trade' | 'market_lifecycle_v2';
const CHANNELS: readonly Channel[] = ['orderbook_delta', 'ticker', 'trade', 'market_lifecycle_v2'];

interface Subscription {
  sid: number;
  channel: Channel;
  /** Empty set with `all` = every market (ticker and trade allow that). */
  tickers: Set<string>;
  all: boolean;
  seq: number;
  useYesPrice: boolean;
}

interface Connection {
  ws: WebSocket;
  keyId: string;
  nextSid: number;
  subs: Map<number, Subscription>;
}

export interface SimWsOptions {
  exchange: KalshiSimExchange;
  keys: SimKeyRing;
  now: () => number;
  pingIntervalMs: number;
}

export interface SimWsFaults {
  /** Skips `count` sequence numbers on the next orderbook message sent (on whichever subscription). */
  skipSeq(count?: number): void;
  /** Terminates every client connection abruptly. */
  dropConnections(): void;
  /** Answers `get_snapshot` with an error, so a client must fall back to resubscribing. */
  refuseSnapshotRequests(refuse: boolean): void;
}

class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class KalshiSimWsServer implements SimWsFaults {
  readonly #o: SimWsOptions;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #conns = new Set<Connection>();
  readonly #ping: NodeJS.Timeout;
  #skip = 0;
  #refuseSnapshots = false;
  rejectedHandshakes = 0;

  constructor(options: SimWsOptions) {
    this.#o = options;
    options.exchange.on('delta', (d) => this.#onDelta(d));
    options.exchange.on('top', (ticker) => this.#onTicker(ticker));
    options.exchange.on('trade', (t) => this.#onTrade(t));
    options.exchange.on('settled', (ticker, result, tsMs) => this.#onSettled(ticker, result, tsMs));
    this.#ping = setInterval(() => {
      for (const c of this.#conns) if (c.ws.readyState === c.ws.OPEN) c.ws.ping('heartbeat');
    }, options.pingIntervalMs);
    this.#ping.unref();
  }

  get connectionCount(): number {
    return this.#conns.size;
  }

  skipSeq(count = 1): void {
    this.#skip += count;
  }

  dropConnections(): void {
    for (const c of this.#conns) c.ws.terminate();
  }

  refuseSnapshotRequests(refuse: boolean): void {
    this.#refuseSnapshots = refuse;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://sim.local').pathname;
    if (path !== WS_PATH) return refuse(socket, 404, 'Not Found');
    const auth = this.#o.keys.verify(req.headers, 'GET', path);
    if (!auth.ok) {
      this.rejectedHandshakes++;
      return refuse(socket, 401, 'Unauthorized');
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, auth.keyId));
  }

  async close(): Promise<void> {
    clearInterval(this.#ping);
    for (const c of this.#conns) c.ws.terminate();
    this.#conns.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(ws: WebSocket, keyId: string): void {
    const conn: Connection = { ws, keyId, nextSid: 1, subs: new Map() };
    this.#conns.add(conn);
    ws.on('message', (data) => this.#onCommand(conn, data.toString()));
    ws.on('close', () => this.#conns.delete(conn));
    ws.on('error', () => this.#conns.delete(conn));
  }

  #onCommand(conn: Connection, text: string): void {
    let id: number | undefined;
    try {
      const cmd = JSON.parse(text) as { id?: unknown; cmd?: unknown; params?: unknown };
      if (!cmd || typeof cmd !== 'object') throw new CommandError(1, 'Unable to process message');
      id = typeof cmd.id === 'number' ? cmd.id : undefined;
      const params = (cmd.params && typeof cmd.params === 'object' ? cmd.params : {}) as Record<string, unknown>;
      switch (cmd.cmd) {
        case 'subscribe':
          return this.#subscribe(conn, id, params);
        case 'unsubscribe':
          return this.#unsubscribe(conn, id, params);
        case 'update_subscription':
          return this.#update(conn, id, params);
        case 'list_subscriptions':
          return send(conn, { id, type: 'ok', msg: [...conn.subs.values()].map((s) => ({ channel: s.channel, sid: s.sid })) });
        default:
          throw new CommandError(5, 'Unknown command');
      }
    } catch (err) {
      const code = err instanceof CommandError ? err.code : 1;
      const msg = err instanceof CommandError ? err.message : 'Unable to process message';
      send(conn, { id, type: 'error', msg: { code, msg } });
    }
  }

  #tickersParam(params: Record<string, unknown>): string[] | null {
    const list = params.market_tickers ?? (params.market_ticker !== undefined ? [params.market_ticker] : undefined);
    if (list === undefined) return null;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new CommandError(11, 'Invalid parameter');
    for (const t of list as string[]) if (!this.#o.exchange.market(t)) throw new CommandError(16, `Market not found: ${t}`);
    return list as string[];
  }

  #subscribe(conn: Connection, id: number | undefined, params: Record<string, unknown>): void {
    const channels = params.channels;
    if (!Array.isArray(channels) || channels.length === 0) throw new CommandError(3, 'Channels required');
    for (const ch of channels) if (!CHANNELS.includes(ch as Channel)) throw new CommandError(8, `Unknown channel ${String(ch)}`);
    const tickers = this.#tickersParam(params);
    if (channels.includes('orderbook_delta') && (tickers === null || tickers.length === 0)) throw new CommandError(14, 'Market ticker required');
    for (const channel of channels as Channel[]) {
      const sub: Subscription = {
        sid: conn.nextSid++,
        channel,
        tickers: new Set(tickers ?? []),
        all: tickers === null,
        seq: 0,
        useYesPrice: params.use_yes_price === true,
      };
      conn.subs.set(sub.sid, sub);
      send(conn, { id, type: 'subscribed', msg: { channel, sid: sub.sid } });
      if (channel === 'orderbook_delta') for (const t of sub.tickers) this.#sendSnapshot(conn, sub, t);
      if (channel === 'ticker' && params.send_initial_snapshot === true) for (const t of sub.tickers) this.#sendTicker(conn, sub, t);
    }
  }

  #unsubscribe(conn: Connection, id: number | undefined, params: Record<string, unknown>): void {
    const sids = params.sids;
    if (!Array.isArray(sids) || sids.length === 0) throw new CommandError(4, 'Sids required');
    for (const sid of sids) {
      const sub = typeof sid === 'number' ? conn.subs.get(sid) : undefined;
      if (!sub) throw new CommandError(7, `Unknown sid ${String(sid)}`);
      conn.subs.delete(sub.sid);
      send(conn, { id, sid: sub.sid, seq: sub.seq, type: 'unsubscribed' });
    }
  }

  #update(conn: Connection, id: number | undefined, params: Record<string, unknown>): void {
    const sids = params.sids ?? (params.sid !== undefined ? [params.sid] : undefined);
    if (!Array.isArray(sids) || sids.length !== 1) throw new CommandError(12, 'Exactly one sid required');
    const sub = typeof sids[0] === 'number' ? conn.subs.get(sids[0]) : undefined;
    if (!sub) throw new CommandError(7, 'Unknown sid');
    const action = params.action;
    if (action === undefined) throw new CommandError(15, 'Action required');
    const tickers = this.#tickersParam(params);
    switch (action) {
      case 'add_markets': {
        if (!tickers?.length) throw new CommandError(14, 'Market ticker required');
        const added = tickers.filter((t) => !sub.tickers.has(t));
        for (const t of added) sub.tickers.add(t);
        send(conn, { id, sid: sub.sid, seq: sub.seq, type: 'ok', msg: { market_tickers: [...sub.tickers] } });
        if (sub.channel === 'orderbook_delta') for (const t of added) this.#sendSnapshot(conn, sub, t);
        return;
      }
      case 'delete_markets': {
        if (!tickers?.length) throw new CommandError(14, 'Market ticker required');
        for (const t of tickers) sub.tickers.delete(t);
        send(conn, { id, sid: sub.sid, seq: sub.seq, type: 'ok', msg: { market_tickers: [...sub.tickers] } });
        return;
      }
      case 'get_snapshot': {
        if (sub.channel !== 'orderbook_delta' || this.#refuseSnapshots) throw new CommandError(13, 'Unsupported action');
        const targets = tickers?.length ? tickers.filter((t) => sub.tickers.has(t)) : [...sub.tickers];
        send(conn, { id, sid: sub.sid, seq: sub.seq, type: 'ok', msg: { market_tickers: [...sub.tickers] } });
        for (const t of targets) this.#sendSnapshot(conn, sub, t);
        return;
      }
      default:
        throw new CommandError(13, 'Unsupported action');
    }
  }

  #nextSeq(sub: Subscription): number {
    if (this.#skip > 0) {
      sub.seq += this.#skip;
      this.#skip = 0;
    }
    return ++sub.seq;
  }

  #sendSnapshot(conn: Connection, sub: Subscription, ticker: string): void {
    const market = this.#o.exchange.market(ticker);
    if (!market) return;
    const { yes, no } = this.#o.exchange.levels(ticker);
    const msg: Record<string, unknown> = { market_ticker: ticker, market_id: market.marketId };
    // An empty side is left out, as Kalshi does.
    if (yes.length) msg.yes_dollars_fp = yes.map(([p, q]) => [dollars(p), contracts(q)]);
    if (no.length) {
      const levels = sub.useYesPrice ? no.map(([p, q]) => [CC_PER_DOLLAR - p, q] as [number, number]).reverse() : no;
      msg.no_dollars_fp = levels.map(([p, q]) => [dollars(p), contracts(q)]);
    }
    send(conn, { type: 'orderbook_snapshot', sid: sub.sid, seq: this.#nextSeq(sub), msg });
  }

  #onDelta(d: SimLevelDelta): void {
    for (const conn of this.#conns) {
      for (const sub of conn.subs.values()) {
        if (sub.channel !== 'orderbook_delta' || !sub.tickers.has(d.ticker)) continue;
        const price = d.side === 'no' && sub.useYesPrice ? CC_PER_DOLLAR - d.legPriceCc : d.legPriceCc;
        const msg: Record<string, unknown> = {
          market_ticker: d.ticker,
          market_id: d.marketId,
          price_dollars: dollars(price),
          delta_fp: contracts(d.delta),
          side: d.side,
          ts: iso(d.tsMs),
          ts_ms: d.tsMs,
        };
        if (d.owner !== null && d.owner === conn.keyId && d.clientOrderId) {
          msg.client_order_id = d.clientOrderId;
          msg.subaccount = 0;
        }
        send(conn, { type: 'orderbook_delta', sid: sub.sid, seq: this.#nextSeq(sub), msg });
      }
    }
  }

  #tickerMsg(ticker: string): Record<string, unknown> | null {
    const m = this.#o.exchange.market(ticker);
    if (!m) return null;
    const top: SimTop = this.#o.exchange.top(ticker);
    const now = this.#o.now();
    return {
      market_ticker: ticker,
      market_id: m.marketId,
      price_dollars: m.volume > 0 ? dollars(m.lastPriceCc) : '',
      yes_bid_dollars: dollars(top.yesBidCc ?? 0),
      yes_ask_dollars: dollars(top.yesAskCc ?? CC_PER_DOLLAR),
      yes_bid_size_fp: contracts(top.yesBidSize),
      yes_ask_size_fp: contracts(top.yesAskSize),
      last_trade_size_fp: contracts(0),
      volume_fp: contracts(m.volume),
      open_interest_fp: contracts(m.openInterest),
      dollar_volume: Math.floor((m.volume * m.lastPriceCc) / CC_PER_DOLLAR),
      dollar_open_interest: Math.floor((m.openInterest * m.lastPriceCc) / CC_PER_DOLLAR),
      ts: Math.floor(now / 1000),
      ts_ms: now,
      time: iso(now),
    };
  }

  #sendTicker(conn: Connection, sub: Subscription, ticker: string, lastTradeSize = 0): void {
    const msg = this.#tickerMsg(ticker);
    if (!msg) return;
    msg.last_trade_size_fp = contracts(lastTradeSize);
    send(conn, { type: 'ticker', sid: sub.sid, msg });
  }

  #onTicker(ticker: string, lastTradeSize = 0): void {
    for (const conn of this.#conns) {
      for (const sub of conn.subs.values()) {
        if (sub.channel === 'ticker' && (sub.all || sub.tickers.has(ticker))) this.#sendTicker(conn, sub, ticker, lastTradeSize);
      }
    }
  }

  /** `market_lifecycle_v2`: the market is determined, then settled (Kalshi's lifecycle channel). */
  #onSettled(ticker: string, result: 'yes' | 'no', tsMs: number): void {
    for (const conn of this.#conns) {
      for (const sub of conn.subs.values()) {
        if (sub.channel !== 'market_lifecycle_v2' || !(sub.all || sub.tickers.has(ticker))) continue;
        const ts = Math.floor(tsMs / 1000);
        send(conn, { type: 'market_lifecycle_v2', sid: sub.sid, msg: { event_type: 'determined', market_ticker: ticker, result, determination_ts: ts } });
        send(conn, { type: 'market_lifecycle_v2', sid: sub.sid, msg: { event_type: 'settled', market_ticker: ticker, result, settled_ts: ts } });
      }
    }
  }

  #onTrade(t: SimTrade): void {
    for (const conn of this.#conns) {
      for (const sub of conn.subs.values()) {
        if (sub.channel !== 'trade' || !(sub.all || sub.tickers.has(t.ticker))) continue;
        send(conn, {
          type: 'trade',
          sid: sub.sid,
          msg: {
            trade_id: t.tradeId,
            market_ticker: t.ticker,
            yes_price_dollars: dollars(t.yesPriceCc),
            no_price_dollars: dollars(CC_PER_DOLLAR - t.yesPriceCc),
            count_fp: contracts(t.count),
            taker_side: t.takerBookSide === 'bid' ? 'yes' : 'no',
            taker_outcome_side: t.takerBookSide === 'bid' ? 'yes' : 'no',
            taker_book_side: t.takerBookSide,
            is_block_trade: false,
            ts: Math.floor(t.tsMs / 1000),
            ts_ms: t.tsMs,
          },
        });
      }
    }
    this.#onTicker(t.ticker, t.count);
  }
}

function send(conn: Connection, body: unknown): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(body));
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

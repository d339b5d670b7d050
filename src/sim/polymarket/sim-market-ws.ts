/**
 * The simulated market channel (`/ws/market`): the first message subscribes (`{assets_ids,
 * type: "market"}`), later `{operation: "subscribe"|"unsubscribe", assets_ids}` change the set;
 * each newly subscribed known asset gets a `book` snapshot (several arrive as one JSON array,
 * like the real initial dump). Text `PING` answers `PONG`. A connection that asks for more assets
 * than the cap is closed with 1008, so a client that does not spread its subscriptions notices.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface SimMarketWsOptions {
  maxAssetsPerConnection: number;
}

interface Client {
  ws: WebSocket;
  assets: Set<string>;
  subscribed: boolean;
  customFeatures: boolean;
}

export interface SimMarketWsStats {
  connections: number;
  pings: number;
  badMessages: number;
  capExceeded: number;
}

export class SimMarketWs {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();
  private readonly counters = { pings: 0, badMessages: 0, capExceeded: 0 };

  constructor(
    private readonly opts: Readonly<SimMarketWsOptions>,
    /** Snapshots (`book` messages) of the known assets among `ids`. */
    private readonly snapshots: (ids: readonly string[]) => object[],
  ) {
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Sends a message about one asset to every client subscribed to it. */
  publish(assetId: string, message: object): void {
    const text = JSON.stringify(message);
    for (const c of this.clients) if (c.assets.has(assetId)) c.ws.send(text);
  }

  /**
   * Sends a multi-asset message (price_change) to each subscribed client, keeping only the
   * entries of `listKey` for the assets that client follows.
   */
  publishFiltered(message: Record<string, unknown>, listKey: string, assetOf: (entry: unknown) => string): void {
    const entries = message[listKey] as unknown[];
    for (const c of this.clients) {
      const mine = entries.filter((e) => c.assets.has(assetOf(e)));
      if (mine.length > 0) c.ws.send(JSON.stringify({ ...message, [listKey]: mine }));
    }
  }

  /** Custom-feature messages (market_resolved...) go only to clients that enabled them. */
  publishCustom(assetIds: readonly string[], message: object): void {
    const text = JSON.stringify(message);
    for (const c of this.clients) if (c.customFeatures && assetIds.some((a) => c.assets.has(a))) c.ws.send(text);
  }

  /** Asset ids per open connection. */
  layout(): string[][] {
    return [...this.clients].map((c) => [...c.assets]);
  }

  stats(): SimMarketWsStats {
    return { connections: this.clients.size, ...this.counters };
  }

  /** Drops every connection abruptly, as a venue restart or network failure would. */
  dropAll(): void {
    for (const c of this.clients) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(ws: WebSocket): void {
    const client: Client = { ws, assets: new Set(), subscribed: false, customFeatures: false };
    this.clients.add(client);
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? '' : data.toString()));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
  }

  private onMessage(client: Client, text: string): void {
    if (text === 'PING') {
      this.counters.pings++;
      client.ws.send('PONG');
      return;
    }
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.counters.badMessages++;
      client.ws.send('INVALID OPERATION');
      return;
    }
    const ids = Array.isArray(msg.assets_ids) ? msg.assets_ids.filter((a): a is string => typeof a === 'string') : null;
    if (ids === null) {
      this.counters.badMessages++;
      client.ws.send('INVALID OPERATION');
      return;
    }
    if (typeof msg.custom_feature_enabled === 'boolean') client.customFeatures = msg.custom_feature_enabled;
    if (msg.operation === 'unsubscribe') {
      for (const id of ids) client.assets.delete(id);
      return;
    }
    if (msg.operation === 'subscribe' || (!client.subscribed && msg.type === 'market')) {
      client.subscribed = true;
      this.subscribe(client, ids);
      return;
    }
    this.counters.badMessages++;
    client.ws.send('INVALID OPERATION');
  }

  private subscribe(client: Client, ids: string[]): void {
    const fresh = ids.filter((id) => !client.assets.has(id));
    if (client.assets.size + fresh.length > this.opts.maxAssetsPerConnection) {
      this.counters.capExceeded++;
      client.ws.close(1008, `at most ${this.opts.maxAssetsPerConnection} assets per connection`);
      return;
    }
    for (const id of fresh) client.assets.add(id);
    const books = this.snapshots(fresh);
    if (books.length === 1) client.ws.send(JSON.stringify(books[0]));
    else if (books.length > 1) client.ws.send(JSON.stringify(books));
  }
}

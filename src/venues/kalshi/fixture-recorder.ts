/**
 * Records real Kalshi payloads as fixtures (`npm run record:fixtures`): raw REST bodies and
 * WebSocket frames, each checked against this client's parser (`summary.json`). Reads only:
 * markets, the order book, the event; with a key, balance, orders and fills (the private
 * payloads that depend on the account) and the WebSocket channels the monitor uses. Only
 * bodies are written, never headers or keys.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import type { KalshiSigner } from './auth.js';
import * as parse from './parse.js';

export interface KalshiRecordOptions {
  restUrl: string;
  wsUrl: string;
  outDir: string;
  /** Series to take an open market from (e.g. KXNBAGAME), unless `ticker` is given. */
  series?: string;
  ticker?: string;
  wsSeconds?: number;
  signer?: KalshiSigner | null;
}

export async function recordKalshiFixtures(o: KalshiRecordOptions): Promise<Record<string, string>> {
  const dir = path.join(o.outDir, 'kalshi');
  mkdirSync(dir, { recursive: true });
  const summary: Record<string, string> = {};
  const root = new URL(o.restUrl).pathname.replace(/\/$/, '');
  const get = async (p: string, auth = false): Promise<unknown> => {
    const url = `${o.restUrl.replace(/\/$/, '')}${p}`;
    const headers = auth && o.signer ? { ...o.signer.headers('GET', `${root}${p.split('?')[0]}`) } : {};
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { status: res.status, text: text.slice(0, 2_000) };
    }
  };
  const save = (name: string, body: unknown, reader: (raw: unknown) => unknown) => {
    writeFileSync(path.join(dir, name), JSON.stringify(body, null, 2) + '\n');
    summary[name] = checked(() => reader(body));
  };

  let ticker = o.ticker;
  if (!ticker) {
    const page = await get(`/markets?status=open&limit=5${o.series ? `&series_ticker=${o.series}` : ''}`);
    save('markets-page.json', page, parse.parseMarketsPage);
    ticker = parse.parseMarketsPage(page).markets[0]?.ticker;
    if (!ticker) throw new Error('no open Kalshi market to record');
  }
  const market = await get(`/markets/${ticker}`);
  save('market.json', market, parse.parseMarketResponse);
  save('orderbook.json', await get(`/markets/${ticker}/orderbook`), parse.parseOrderbookResponse);
  const eventTicker = parse.parseMarketResponse(market).eventTicker;
  save('event.json', await get(`/events/${eventTicker}`), parse.parseEventResponse);
  if (o.signer) {
    save('balance.json', await get('/portfolio/balance', true), parse.parseBalance);
    save('orders.json', await get('/portfolio/orders?limit=5', true), parse.parseOrdersPage);
    save('fills.json', await get('/portfolio/fills?limit=5', true), parse.parseFillsPage);
    const frames = await recordWs(o.wsUrl, o.signer, ticker, (o.wsSeconds ?? 15) * 1000);
    writeFileSync(path.join(dir, 'ws-frames.jsonl'), frames.join('\n') + '\n');
    summary['ws-frames.jsonl'] = checked(() => frames.forEach((f) => parse.parseWsFrame(f)));
  }
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** The monitor's channels (and the lifecycle one) for one market, both NO-level conventions asked in turn. */
function recordWs(url: string, signer: KalshiSigner, ticker: string, forMs: number): Promise<string[]> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const ws = new WebSocket(url, { headers: { ...signer.headers('GET', new URL(url).pathname) } });
    const done = () => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.close();
      resolve(frames);
    };
    ws.on('open', () => {
      ws.send(JSON.stringify({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [ticker], use_yes_price: false } }));
      ws.send(JSON.stringify({ id: 2, cmd: 'subscribe', params: { channels: ['ticker', 'market_lifecycle_v2'], market_tickers: [ticker], send_initial_snapshot: true } }));
      setTimeout(() => {
        if (ws.readyState === ws.OPEN) {
          ws.send(JSON.stringify({ id: 3, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_tickers: [ticker], use_yes_price: true } }));
        }
      }, forMs / 2).unref();
    });
    ws.on('message', (d) => frames.push(String(d)));
    ws.on('error', done);
    setTimeout(done, forMs).unref();
  });
}

function checked(read: () => unknown): string {
  try {
    read();
    return 'parsed';
  } catch (err) {
    return `unparsed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

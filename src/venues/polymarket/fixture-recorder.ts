/**
 * Records real Polymarket payloads as fixtures (`npm run record:fixtures`): the raw bodies of
 * every REST answer and WebSocket frame the client parses, written as received, each checked
 * against this client's parser (`summary.json` says which parsed). Reads only, unless `probe`
 * is set: then one FAK BUY of the market's minimum size at the lowest price (at most $0.05 at
 * tick 0.01, normally unfilled) records the real `POST /order` reply and its lookup.
 * Secrets are never written: only bodies, never headers.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalAccount } from 'viem';
import WebSocket from 'ws';
import { buildL2Headers } from './auth.js';
import type { PolyApiCredentials, TickSize } from './common.js';
import { marketOrderAmounts } from './market-order-amounts.js';
import { buildOrder, orderHash, postOrderBody, signOrder } from './order-signing.js';
import { parseBookSummary, parseClobMarket, parseGammaMarket, parseOpenOrder, parseOrderResponse, parseWsFrame } from './parse.js';

export interface PolymarketRecordOptions {
  clobUrl: string;
  gammaUrl: string;
  wsUrl: string;
  outDir: string;
  /** A token to record; else the first open market Gamma lists. */
  tokenId?: string;
  wsSeconds?: number;
  credentials?: PolyApiCredentials;
  account?: LocalAccount;
  probe?: boolean;
}

export interface RecordSummary {
  [file: string]: 'parsed' | `unparsed: ${string}` | 'recorded';
}

export async function recordPolymarketFixtures(o: PolymarketRecordOptions): Promise<RecordSummary> {
  const dir = path.join(o.outDir, 'polymarket');
  mkdirSync(dir, { recursive: true });
  const summary: RecordSummary = {};
  const save = (name: string, body: unknown, parse?: (raw: unknown) => unknown) => {
    writeFileSync(path.join(dir, name), JSON.stringify(body, null, 2) + '\n');
    summary[name] = parse ? checked(() => parse(body)) : 'recorded';
  };

  let tokenId = o.tokenId;
  if (!tokenId) {
    const markets = await getJson(`${o.gammaUrl}/markets?limit=5&active=true&closed=false&enableOrderBook=true`);
    save('gamma-markets.json', markets, (raw) => (raw as unknown[]).map((m) => parseGammaMarket(m)));
    const first = (markets as { clobTokenIds?: string }[]).find((m) => typeof m.clobTokenIds === 'string');
    if (!first) throw new Error('Gamma listed no market with CLOB tokens');
    tokenId = (JSON.parse(first.clobTokenIds!) as string[])[0]!;
  }
  const book = await getJson(`${o.clobUrl}/book?token_id=${tokenId}`);
  save('rest-book.json', book, parseBookSummary);
  const conditionId = (book as { market: string }).market;
  const marketBody = await getJson(`${o.clobUrl}/clob-markets/${conditionId}`);
  save('rest-clob-market.json', marketBody, parseClobMarket);
  const market = parseClobMarket(marketBody);
  const frames = await recordWs(o.wsUrl, market.tokens.map((t) => t.tokenId), (o.wsSeconds ?? 15) * 1000);
  writeFileSync(path.join(dir, 'ws-frames.jsonl'), frames.join('\n') + '\n');
  summary['ws-frames.jsonl'] = checked(() => frames.forEach((f) => {
    const r = parseWsFrame(f);
    if (r.kind === 'messages' && r.errors.length > 0) throw r.errors[0];
  }));

  if (o.credentials && o.account) {
    const authed = (method: 'GET' | 'POST', p: string, body?: unknown) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const headers = buildL2Headers(o.credentials!, o.account!.address, { method, requestPath: p, ...(text === undefined ? {} : { body: text }) });
      return getJson(`${o.clobUrl}${p}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(text === undefined ? {} : { body: text }) });
    };
    if (o.probe) {
      const parsed = parseBookSummary(book);
      const tick: TickSize = parsed.tickSize;
      const price = Number(tick);
      const size = Math.max(5, Math.ceil(parsed.minOrderSize));
      const amounts = marketOrderAmounts('BUY', price, size, tick);
      const built = buildOrder({ tokenId, side: 'BUY', price, size, amounts, tickSize: tick, signer: o.account.address });
      const signed = await signOrder(o.account, built, { negRisk: parsed.negRisk });
      save('rest-order-response.json', await authed('POST', '/order', postOrderBody(signed, o.credentials.apiKey, 'FAK')), parseOrderResponse);
      const hash = orderHash(built.order, { negRisk: parsed.negRisk });
      save('rest-open-order.json', await authed('GET', `/data/order/${hash}`), (raw) => (raw === null ? null : parseOpenOrder(raw)));
    }
  }
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

async function getJson(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { status: res.status, text: text.slice(0, 2_000) };
  }
}

function recordWs(url: string, assets: string[], forMs: number): Promise<string[]> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const ws = new WebSocket(url);
    const done = () => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.close();
      resolve(frames);
    };
    ws.on('open', () => ws.send(JSON.stringify({ assets_ids: assets, type: 'market', custom_feature_enabled: true })));
    ws.on('message', (d) => frames.push(String(d)));
    ws.on('error', done);
    setTimeout(done, forMs).unref();
  });
}

function checked(parse: () => unknown): RecordSummary[string] {
  try {
    parse();
    return 'parsed';
  } catch (err) {
    return `unparsed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/**
 * The read routes (open on loopback): health, services, games, markets, signals, trades,
 * positions, account, funnel, control state, audit. Lists that grow are paged.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@fastify/swagger';
import type { z } from 'zod';
import {
  FunnelQuery,
  GameParams,
  GamesQuery,
  MarketParams,
  PositionsQuery,
  ReportParams,
  ReportsQuery,
  HISTORY_SOURCE_HEADER,
  StreamPageQuery,
  TradesQuery,
  type HealthView,
  type MarketView,
  type Page,
} from '../../core/api-protocol.js';
import type { OrderBook } from '../../core/messages.js';
import { Topic, TopicPrefix } from '../../core/topics.js';
import type { ApiAudit } from './api-audit.js';
import type { HistoryRouter } from './history-router.js';
import { schemaOf } from './route-schema.js';
import type { SlowStateReader } from './state-reader.js';
import type { WsHub } from './ws-hub.js';
import { notFound } from './api-errors.js';

export interface ReadRouteDeps {
  reader: SlowStateReader;
  history: HistoryRouter;
  hub: WsHub;
  audit: ApiAudit;
}

const GAME_ORDER: Record<string, number> = { live: 0, halftime: 0, delayed: 1, scheduled: 2, final: 3, postponed: 4, cancelled: 4 };

export function registerReadRoutes(app: FastifyInstance, d: ReadRouteDeps): void {
  const tags = ['read'];

  app.get('/api/health', { schema: { tags, summary: 'Liveness: Redis reachable, services healthy / total, WebSocket clients' } }, async (): Promise<HealthView> => {
    const redis = await d.reader.ping();
    const services = redis ? await d.reader.services() : [];
    const healthy = services.filter((s) => s.status === 'healthy').length;
    return { ok: redis, redis, services_healthy: healthy, services_total: services.length, ws_clients: d.hub.clientCount, ts: Date.now() };
  });

  app.get('/api/services', { schema: { tags, summary: 'Every registered service instance with its metrics, heartbeat age and uptime' } }, async () => ({ items: await d.reader.services() }));

  app.get<{ Querystring: z.infer<typeof GamesQuery> }>(
    '/api/games',
    { schema: { tags, summary: 'Tracked games with state, model probability and both venues\' prices (live first)', querystring: schemaOf(GamesQuery) } },
    async (req) => {
      const q = req.query;
      const all = (await d.reader.games())
        .filter((g) => (q.status === undefined || (g.state?.status ?? g.info.status) === q.status) && (q.sport === undefined || g.info.sport === q.sport))
        .sort((a, b) => (GAME_ORDER[a.state?.status ?? a.info.status] ?? 5) - (GAME_ORDER[b.state?.status ?? b.info.status] ?? 5) || a.info.start_time.localeCompare(b.info.start_time));
      const items = all.slice(q.offset, q.offset + q.limit);
      return { items, total: all.length, next_offset: q.offset + items.length < all.length ? q.offset + items.length : null };
    },
  );

  app.get<{ Params: z.infer<typeof GameParams> }>(
    '/api/games/:gameId',
    { schema: { tags, summary: 'One game: info, latest state, prices of its markets', params: schemaOf(GameParams) } },
    async (req) => (await d.reader.game(req.params.gameId)) ?? notFound(`no tracked game ${req.params.gameId}`),
  );

  app.get<{ Params: z.infer<typeof MarketParams> }>(
    '/api/markets/:venue/:marketId',
    { schema: { tags, summary: 'Latest price (slow track) and order book (hot path) of one market', params: schemaOf(MarketParams) } },
    async (req): Promise<MarketView> => {
      const { venue, marketId } = req.params;
      // Books live in the cache only while their family is followed: this read keeps it on a while.
      const [latest] = await Promise.all([d.reader.latestPrice(venue, marketId), d.hub.families?.touch(TopicPrefix.orderbooks)]);
      const book = d.hub.cache.latest(Topic.orderbook(venue, marketId), 'orderbook');
      if (latest === null && book === undefined) return notFound(`no price for ${venue} market ${marketId}`);
      return { price: latest?.price ?? null, price_ts: latest?.ts ?? null, book: (book?.data as OrderBook | undefined) ?? null };
    },
  );

  app.get<{ Querystring: z.infer<typeof StreamPageQuery> }>(
    '/api/signals',
    { schema: { tags, summary: 'Trade and high-edge signals, newest first (page with `before`)', querystring: schemaOf(StreamPageQuery) } },
    async (req, reply) => sourced(reply, await d.history.signals(req.query)),
  );

  app.get<{ Querystring: z.infer<typeof TradesQuery> }>(
    '/api/trades',
    { schema: { tags, summary: 'Trades with fills, fees and rejection reasons, newest first; from Postgres when the recorder has them, else Redis (`source`, x-arbees-history-source)', querystring: schemaOf(TradesQuery) } },
    async (req, reply) => sourced(reply, await d.history.trades(req.query)),
  );

  app.get<{ Querystring: z.infer<typeof PositionsQuery> }>(
    '/api/positions',
    { schema: { tags, summary: 'Open positions (live, with mark and unrealised P&L) or closed ones (newest first; from Postgres when it has them, else Redis)', querystring: schemaOf(PositionsQuery) } },
    async (req, reply) => {
      if (req.query.state === 'closed') return sourced(reply, await d.history.closedPositions(req.query));
      const open = await d.reader.openPositions();
      return { items: open.slice(0, req.query.limit), next_before: null, total: open.length };
    },
  );

  app.get<{ Querystring: z.infer<typeof ReportsQuery> }>(
    '/api/reports',
    { schema: { tags, summary: 'Stored analytics reports (hourly, daily, on demand), newest first; needs the history database (503 ARB_API_NO_HISTORY)', querystring: schemaOf(ReportsQuery) } },
    async (req, reply) => sourced(reply, await d.history.reports(req.query)),
  );

  app.get<{ Params: z.infer<typeof ReportParams> }>(
    '/api/reports/:reportId',
    { schema: { tags, summary: 'One stored report: totals, the full body and its markdown', params: schemaOf(ReportParams) } },
    async (req, reply) => {
      const report = await d.history.report(req.params.reportId);
      void reply.header(HISTORY_SOURCE_HEADER, 'postgres');
      return report ?? notFound(`no report ${req.params.reportId}`);
    },
  );

  app.get('/api/account', { schema: { tags, summary: 'Bankroll, realised / unrealised P&L, exposure by sport and game, risk limit use, controls' } }, async () => d.reader.account());

  app.get<{ Querystring: z.infer<typeof FunnelQuery> }>(
    '/api/funnel',
    { schema: { tags, summary: 'Signal funnel per kind: signals -> decided -> filled / rejected by reason', querystring: schemaOf(FunnelQuery) } },
    async (req) => ({ window: req.query.window, rows: await d.reader.funnel(req.query.window) }),
  );

  app.get('/api/control/state', { schema: { tags, summary: 'Kill switch and reduce-only state' } }, async () => d.reader.controls());

  app.get<{ Querystring: z.infer<typeof StreamPageQuery> }>(
    '/api/audit',
    { schema: { tags, summary: 'The api audit trail (audit:api), newest first', querystring: schemaOf(StreamPageQuery) } },
    async (req) => ({ items: await d.audit.recent(req.query.limit) }),
  );
}

/**
 * JSON of the pages sent, by page object: a page the stream page cache reuses is serialized once
 * per stream version, not per request (a 500-trade page is a few hundred KB of JSON, and
 * serializing it is synchronous work on the loop the /ws fan-out shares).
 */
const pageJson = new WeakMap<object, string>();

/** Sends the page (serialized once, see pageJson) and names its source in a header too, so a client can tell without parsing the body. */
function sourced<T>(reply: FastifyReply, page: Page<T>): FastifyReply {
  if (page.source !== undefined) void reply.header(HISTORY_SOURCE_HEADER, page.source);
  let json = pageJson.get(page);
  if (json === undefined) pageJson.set(page, (json = JSON.stringify(page)));
  return reply.type('application/json; charset=utf-8').send(json);
}

/**
 * api: REST reads from the Redis slow track, the /ws stream fed by a ZMQ subscription (the quiet
 * hot-path families always, prices and books only while someone follows them: live-families.ts),
 * authenticated and audited controls, and the dashboard, on 127.0.0.1:7400 by default. A slow WebSocket client never slows the hot path: the subscriber only hands each
 * message to per-client bounded queues (ws-client.ts).
 */
import { WS_ROOT_PREFIXES } from '../../core/api-protocol.js';
import { errorMessage } from '../../core/errors.js';
import { ensureApiToken } from '../../runtime/api-token.js';
import { defineService } from '../../runtime/service.js';
import { ApiAudit } from './api-audit.js';
import { apiConfigSpec } from './api-config.js';
import { ApiServer } from './api-core.js';
import { ControlDesk } from './control-desk.js';
import { openPool } from '../../store/pg-pool.js';
import { HistoryReader as StoreHistoryReader } from '../../store/history-reader.js';
import { RedisHistoryReader } from './history-reader.js';
import { HistoryRouter } from './history-router.js';
import { RedisAccountHistory } from './account-history.js';
import { PostgresHistory } from './postgres-history.js';
import { SlowStateReader } from './state-reader.js';
import { defaultStaticDir, StaticAssets } from './static-assets.js';
import { StatusPusher } from './status-pusher.js';
import { WsHub } from './ws-hub.js';
import { LiveFamilies, ON_DEMAND_FAMILIES } from './live-families.js';
import { LiveStateLoader } from './live-state-loader.js';
import { quotesForPrices } from './quote-prices.js';
import { pricesOfSnapshot } from '../../core/quote-prices.js';
import { TopicThrottle } from '../../core/topic-throttle.js';
import type { PriceUpdate } from '../../core/messages.js';
import { TopicPrefix } from '../../core/topics.js';

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

export const api = defineService({
  name: 'api',
  description: 'REST + WebSocket api and the live dashboard (loopback by default), with authenticated controls',
  configSpec: apiConfigSpec,
  async start(ctx) {
    const { config, redis, metrics, log } = ctx;
    const { token, file } = ensureApiToken(config.dataDir, config.token);
    const streams = new RedisHistoryReader(redis);
    const pool = config.databaseUrl === '' ? null : openPool(config.databaseUrl, { max: 2, connectTimeoutMs: 1_000, onIdleError: () => metrics.inc('history_idle_errors') });
    if (pool !== null) ctx.onStop(() => pool.end());
    // History lists and the account's / funnel's totals: Postgres first, the streams as the fallback.
    const history = new HistoryRouter(streams, new RedisAccountHistory(streams), pool === null ? null : new PostgresHistory(new StoreHistoryReader(pool)), log, config.historyRetryMs);
    const reader = new SlowStateReader(redis, history, config.registryTtlMs);
    const audit = new ApiAudit(redis, config.auditMaxLen);
    // Before the subscription: the subscriber skips the api's own publisher.
    const publisher = await ctx.publisher();
    // Prices and books only while a client follows them (live-families.ts); the rest always.
    // With pricesFrom=quotes, following prices means following the quote snapshots (quote-prices.ts).
    // Each market's price at most once per ARBEES_API_QUOTES_MS, a halt or settlement at once.
    const quotes = new TopicThrottle({
      intervalMs: config.quotesMs,
      emit: (topic, envelope) => hub.onHotMessage(topic, envelope),
      urgent: (envelope) => (envelope.data as PriceUpdate).status !== 'open',
    });
    ctx.onStop(() => quotes.stop());
    metrics.provide('quotes', () => ({ held: quotes.held }));
    const sub = await ctx.subscribe(WS_ROOT_PREFIXES.filter((p) => !ON_DEMAND_FAMILIES.includes(p)), (topic, envelope) => {
      if (!topic.startsWith(TopicPrefix.quotes)) return hub.onHotMessage(topic, envelope);
      for (const price of pricesOfSnapshot(envelope)) quotes.offer(price.topic, price.envelope);
    });
    const loader = new LiveStateLoader(redis);
    const families = new LiveFamilies(
      {
        feed: config.pricesFrom === 'quotes' ? quotesForPrices(sub.subscriber) : sub.subscriber,
        load: (family) => loader.load(family),
        merge: (entries) => hub.mergeStored(entries),
        forget: (family) => hub.cache.forget(family),
        onLoadError: (family, err) => log.warn({ family, err: errorMessage(err), code: 'ARB_API_LIVE_LOAD' }, 'ARB_API_LIVE_LOAD: stored state not loaded; the snapshot has what the live stream brought'),
      },
      config.liveLingerMs,
      config.liveSettleMs,
    );
    const hub: WsHub = new WsHub(
      { queueMax: config.wsQueueMax, maxBufferedBytes: config.wsMaxBufferedBytes, hopelessMs: config.wsHopelessMs, maxClients: config.wsMaxClients, maxProtocolErrors: 20, flushIntervalMs: config.wsFlushMs },
      metrics,
      families,
    );
    const desk = new ControlDesk(redis, reader, async () => publisher, { slippage: config.flattenSlippage, exitTtlUs: config.exitTtlMs * 1_000 });
    const assets = new StaticAssets(config.staticDir !== '' ? config.staticDir : defaultStaticDir());
    if (!assets.built) log.warn({ dir: assets.dir }, 'dashboard bundle not found; run npm run build (the api still serves /api and /ws)');
    metrics.provide('reads', () => ({ bad_entries: reader.badEntries, history_malformed: streams.counters.malformed, history_invalid: streams.counters.invalid, live_malformed: loader.counters.malformed, live_invalid: loader.counters.invalid, page_cache_hits: streams.pages.counters.hits, page_cache_misses: streams.pages.counters.misses, audit_failures: audit.failures, status_failures: pusher.failures }));

    metrics.provide('history', () => ({ ...history.counters, database: history.hasDatabase ? 1 : 0 }));
    const pusher = new StatusPusher(reader, hub, config.statusPushMs);
    hub.onStatusSubscribe = () => void pusher.pushNow();
    pusher.start();
    ctx.onStop(() => pusher.stop());
    const server = await ApiServer.build({ reader, history, hub, desk, audit, assets, metrics, log, token, readsNeedToken: config.readsNeedToken === 'auto' ? !isLoopback(config.host) : config.readsNeedToken === 'true', bodyLimitBytes: config.bodyLimitBytes, controlsPerMinute: config.controlsPerMinute });
    ctx.onStop(async () => {
      hub.closeAll();
      await server.close();
    });
    await server.listen(config.host, config.port);
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${server.port}/`;
    metrics.set('http_port', server.port);
    if (!isLoopback(config.host)) log.warn({ host: config.host }, 'listening beyond loopback: reads need the bearer token too');
    log.info({ url, controls: file === null ? 'bearer from ARBEES_API_TOKEN' : `bearer in ${file}`, dashboard: assets.built }, `dashboard at ${url}`);
  },
});

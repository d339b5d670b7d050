/**
 * The api's HTTP server: Fastify with zod-validated routes (read-routes.ts, control-routes.ts),
 * the OpenAPI document at /api/openapi.json, the /ws stream (ws-hub.ts) and the dashboard bundle
 * at /. Body size, WebSocket frame size and client count are bounded; every error is a stable
 * code and a counter.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { Logger } from 'pino';
import { tokenMatches } from '../../runtime/api-token.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { ApiAudit } from './api-audit.js';
import { errorBody, installErrorHandlers } from './api-errors.js';
import type { ControlDesk } from './control-desk.js';
import { registerControlRoutes } from './control-routes.js';
import type { HistoryRouter } from './history-router.js';
import { registerReadRoutes } from './read-routes.js';
import { zodValidatorCompiler } from './route-schema.js';
import type { SlowStateReader } from './state-reader.js';
import type { StaticAssets } from './static-assets.js';
import type { WsHub } from './ws-hub.js';

export interface ApiServerDeps {
  reader: SlowStateReader;
  history: HistoryRouter;
  hub: WsHub;
  desk: ControlDesk;
  audit: ApiAudit;
  assets: StaticAssets;
  metrics: Metrics;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  token: string;
  /** Off loopback, reads (REST and /ws) need the token too; the page and its assets stay open. */
  readsNeedToken: boolean;
  bodyLimitBytes: number;
  controlsPerMinute: number;
  /** Largest WebSocket frame a client may send. */
  wsMaxPayload?: number;
}

const WS_MAX_PAYLOAD = 16_384;

export class ApiServer {
  readonly app: FastifyInstance;

  private constructor(app: FastifyInstance) {
    this.app = app;
  }

  static async build(d: ApiServerDeps): Promise<ApiServer> {
    const app = Fastify({ logger: false, bodyLimit: d.bodyLimitBytes, return503OnClosing: true, forceCloseConnections: true });
    app.setValidatorCompiler(zodValidatorCompiler);
    installErrorHandlers(app, d.metrics, (err, req) => d.log.warn({ err: err.message, url: req.url }, 'api request failed'));
    app.addHook('onResponse', async () => d.metrics.inc('http_requests'));
    if (d.readsNeedToken) app.addHook('onRequest', readGuard(d.token, d.metrics));
    await app.register(swagger, {
      openapi: {
        info: { title: 'arbees api', version: '1', description: 'Read the trading system (open on loopback) and control it (bearer token). Live stream: GET /ws.' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'ARB_API_RATE_LIMITED', message: `rate limit: ${ctx.max} control requests per ${ctx.after}` }),
    });
    await app.register(websocket, { options: { maxPayload: d.wsMaxPayload ?? WS_MAX_PAYLOAD } });

    app.get('/api/openapi.json', { schema: { tags: ['read'], summary: 'This OpenAPI document' } }, async () => withWebSocketPath(app.swagger()));
    registerReadRoutes(app, d);
    registerControlRoutes(app, d);
    app.get('/ws', { websocket: true, schema: { tags: ['stream'], summary: 'WebSocket: send {"subscribe": ["games.", "prices.kalshi.", ...]}; receive {kind, topic, type, ts, data}' } }, (socket) => d.hub.accept(socket));
    registerDashboard(app, d.assets, d.metrics);
    await app.ready();
    return new ApiServer(app);
  }

  async listen(host: string, port: number): Promise<string> {
    return this.app.listen({ host, port });
  }

  get port(): number {
    const addr = this.app.server.address();
    return typeof addr === 'object' && addr !== null ? addr.port : 0;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** Bearer header, or `?token=` for the WebSocket (a browser cannot set headers on it). */
function readGuard(token: string, metrics: Metrics) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const url = req.url;
    if (req.method !== 'GET' || !(url.startsWith('/api/') || url.startsWith('/ws'))) return;
    const header = req.headers.authorization;
    const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : (new URL(url, 'http://x').searchParams.get('token') ?? '');
    if (tokenMatches(presented, token)) return;
    metrics.inc('read_unauthorized');
    if (url.startsWith('/ws')) {
      // A refused upgrade: answer on the raw socket and close it (an upgrade socket is not one
      // Fastify tracks, so a normal reply would leave it open and hold up shutdown).
      reply.hijack();
      const socket = req.raw.socket;
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\n\r\n');
      setTimeout(() => socket.destroy(), 1_000).unref();
      return;
    }
    return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('ARB_API_UNAUTHORIZED', 'this api listens beyond loopback: reads need the bearer token too'));
  };
}

/** @fastify/swagger leaves WebSocket routes out; /ws is part of the api, so the document names it. */
function withWebSocketPath<T>(doc: T): T {
  const d = doc as { paths?: Record<string, unknown> };
  d.paths = {
    ...d.paths,
    '/ws': {
      get: {
        tags: ['stream'],
        summary: 'WebSocket upgrade. Send {"subscribe": ["games.", "prices.kalshi.", "signals.", "trades.completed.", "positions.", "status."]}; receive {"kind": "snapshot" | "event" | "status" | "error" | "dropped", ...}. Close 1008 on repeated protocol errors, 1013 for a client that does not read.',
        responses: { '101': { description: 'Switching Protocols' } },
      },
    },
  };
  return doc;
}

function registerDashboard(app: FastifyInstance, assets: StaticAssets, metrics: Metrics): void {
  const hide = { schema: { hide: true } };
  app.get('/', hide, async (_req, reply) => {
    const index = assets.get('index.html');
    if (index === undefined) return reply.code(503).type('text/plain').send(`dashboard not built (no index.html in ${assets.dir}); run npm run build`);
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  });
  app.get<{ Params: { name: string } }>('/assets/:name', hide, async (req, reply) => {
    const asset = assets.get(req.params.name);
    if (asset === undefined) {
      metrics.inc('http_errors.ARB_API_NOT_FOUND');
      return reply.code(404).send(errorBody('ARB_API_NOT_FOUND', `no asset ${JSON.stringify(req.params.name.slice(0, 100))}`));
    }
    return reply.type(asset.type).header('cache-control', 'no-cache').send(asset.body);
  });
}

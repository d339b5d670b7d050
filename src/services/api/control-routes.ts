/**
 * POST /api/control/*: every mutation needs `Authorization: Bearer <token>`, is rate limited per
 * client, validated, and recorded in `audit:api` whatever its result (refused and unauthorized
 * attempts too). Without the right token nothing changes and the reply is 401.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/swagger';
import type {} from '@fastify/rate-limit';
import type { z } from 'zod';
import {
  CloseAllBody,
  EntriesBody,
  FlattenGameBody,
  FlattenPositionBody,
  KillSwitchBody,
  type ControlResult,
} from '../../core/api-protocol.js';
import { tokenMatches } from '../../runtime/api-token.js';
import type { Metrics } from '../../runtime/metrics.js';
import type { ApiAudit, AuditRecord } from './api-audit.js';
import { errorBody } from './api-errors.js';
import type { ControlDesk, SentExit } from './control-desk.js';
import { schemaOf } from './route-schema.js';
import type { SlowStateReader } from './state-reader.js';

export interface ControlRouteDeps {
  token: string;
  controlsPerMinute: number;
  desk: ControlDesk;
  reader: SlowStateReader;
  audit: ApiAudit;
  metrics: Metrics;
}

function who(req: FastifyRequest, authorized: boolean): string {
  const agent = String(req.headers['user-agent'] ?? '-').slice(0, 80);
  return `${authorized ? 'token' : 'anonymous'}@${req.ip} (${agent})`;
}

function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : '';
}

export function registerControlRoutes(app: FastifyInstance, d: ControlRouteDeps): void {
  const routeOptions = (summary: string, body: z.ZodType) => ({
    schema: { tags: ['control'], summary, body: schemaOf(body), security: [{ bearer: [] }] },
    config: { rateLimit: { max: d.controlsPerMinute, timeWindow: 60_000 } },
    // Auth before validation: without the token, a request learns nothing about the body it needs.
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      if (tokenMatches(bearer(req), d.token)) return;
      d.metrics.inc('control_unauthorized');
      await d.audit.record({ who: who(req, false), action: req.url, params: null, result: 'unauthorized', detail: 'missing or wrong bearer token' });
      return reply.code(401).header('www-authenticate', 'Bearer').send(errorBody('ARB_API_UNAUTHORIZED', 'a bearer token is required (ARBEES_API_TOKEN or <data dir>/api-token)'));
    },
  });

  const respond = async (req: FastifyRequest, action: string, params: unknown, run: () => Promise<Omit<ControlResult, 'audit_id' | 'action'>>): Promise<ControlResult> => {
    let outcome: Omit<ControlResult, 'audit_id' | 'action'>;
    let result: AuditRecord['result'];
    try {
      outcome = await run();
      result = outcome.ok ? 'ok' : 'refused';
    } catch (err) {
      result = 'failed';
      outcome = { ok: false, detail: `failed: ${(err as Error).message}` };
    }
    d.metrics.inc(`control.${action}.${result}`);
    const audit_id = await d.audit.record({ who: who(req, true), action, params, result, detail: outcome.detail });
    if (result === 'failed') throw Object.assign(new Error(outcome.detail), { statusCode: 503 });
    return { action, audit_id, ...outcome };
  };

  const flattenResult = (sent: SentExit[], skipped: string[], killOn: boolean, what: string) => {
    const warn = killOn ? ' (kill switch is ON: execution refuses exits unless EXEC_KILL_SWITCH_ALLOWS_EXITS=true)' : '';
    return { ok: sent.length > 0 || skipped.length === 0, detail: `${sent.length} exit signal(s) sent for ${what}${skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : ''}${warn}`, exits: sent };
  };

  app.post<{ Body: z.infer<typeof KillSwitchBody> }>('/api/control/kill-switch', routeOptions('Kill switch on/off (control:kill_switch, obeyed by execution_service)', KillSwitchBody), async (req) =>
    respond(req, 'kill-switch', req.body, async () => {
      const state = await d.desk.setKillSwitch(req.body.on, `${req.body.reason ?? 'api'} by ${who(req, true)} at ${new Date().toISOString()}`);
      return { ok: true, detail: `kill switch ${req.body.on ? 'ON' : 'off'}`, state };
    }),
  );

  app.post<{ Body: z.infer<typeof EntriesBody> }>('/api/control/entries', routeOptions('Pause (reduce-only) or resume new entries (control:entries_paused)', EntriesBody), async (req) =>
    respond(req, 'entries', req.body, async () => {
      const state = await d.desk.setEntriesPaused(req.body.paused, `${req.body.reason ?? 'api'} by ${who(req, true)} at ${new Date().toISOString()}`);
      return { ok: true, detail: req.body.paused ? 'new entries paused (reduce-only)' : 'new entries resumed', state };
    }),
  );

  app.post<{ Body: z.infer<typeof FlattenPositionBody> }>('/api/control/flatten', routeOptions('Flatten one open position (a manual exit signal)', FlattenPositionBody), async (req, reply) => {
    const position = await d.reader.openPosition(req.body.position_id);
    if (position === null) {
      await d.audit.record({ who: who(req, true), action: 'flatten', params: req.body, result: 'refused', detail: 'no such open position' });
      return reply.code(404).send(errorBody('ARB_API_NOT_FOUND', `no open position ${req.body.position_id}`));
    }
    return respond(req, 'flatten', req.body, async () => {
      const { sent, skipped } = await d.desk.flatten([position]);
      return flattenResult(sent, skipped, await d.desk.killSwitchOn(), `position ${position.position_id}`);
    });
  });

  app.post<{ Body: z.infer<typeof FlattenGameBody> }>('/api/control/flatten-game', routeOptions('Flatten every open position of one game', FlattenGameBody), async (req) =>
    respond(req, 'flatten-game', req.body, async () => {
      const open = (await d.reader.openPositions()).map((v) => v.position).filter((p) => p.game_id === req.body.game_id);
      const { sent, skipped } = await d.desk.flatten(open);
      return flattenResult(sent, skipped, await d.desk.killSwitchOn(), `${open.length} position(s) of game ${req.body.game_id}`);
    }),
  );

  app.post<{ Body: z.infer<typeof CloseAllBody> }>('/api/control/close-all', routeOptions('Flatten every open position; pauses new entries unless pause_entries=false', CloseAllBody), async (req) =>
    respond(req, 'close-all', req.body, async () => {
      if (req.body.pause_entries) await d.desk.setEntriesPaused(true, `close-all by ${who(req, true)} at ${new Date().toISOString()}`);
      const open = (await d.reader.openPositions()).map((v) => v.position);
      const { sent, skipped } = await d.desk.flatten(open);
      const r = flattenResult(sent, skipped, await d.desk.killSwitchOn(), `${open.length} open position(s)`);
      return { ...r, detail: r.detail + (req.body.pause_entries ? '; new entries paused' : ''), state: await d.reader.controls() };
    }),
  );
}

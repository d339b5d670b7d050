/**
 * The api's error replies: `{ error: { code, message } }` with a stable ARB_API_* code, and a
 * counter per code, for every 4xx and 5xx.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorBody } from '../../core/api-protocol.js';
import { ArbeesError, type ErrorCode } from '../../core/errors.js';
import type { Metrics } from '../../runtime/metrics.js';

export class ApiError extends ArbeesError {
  constructor(
    readonly statusCode: number,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'ApiError';
  }
}

export function notFound(message: string): never {
  throw new ApiError(404, 'ARB_API_NOT_FOUND', message);
}

export function errorBody(code: ErrorCode, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** Maps anything a route or Fastify throws to a status, a stable code and a counter. */
export function classifyError(err: FastifyError | ApiError | Error): { status: number; code: ErrorCode; message: string } {
  if (err instanceof ApiError) return { status: err.statusCode, code: err.code, message: err.message.replace(/^ARB_API_[A-Z_]+: /, '') };
  const e = err as FastifyError;
  if (e.validation !== undefined || e.code === 'FST_ERR_VALIDATION') return { status: 400, code: 'ARB_API_BAD_REQUEST', message: e.message };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, code: 'ARB_API_BODY_TOO_LARGE', message: 'request body too large' };
  if (e.statusCode === 429) return { status: 429, code: 'ARB_API_RATE_LIMITED', message: e.message };
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) return { status: e.statusCode, code: 'ARB_API_BAD_REQUEST', message: e.message };
  return { status: 503, code: 'ARB_API_UNAVAILABLE', message: 'the api cannot serve this right now (Redis or the hot path unavailable)' };
}

export function installErrorHandlers(app: import('fastify').FastifyInstance, metrics: Metrics, onServerError: (err: Error, req: FastifyRequest) => void): void {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const { status, code, message } = classifyError(err);
    metrics.inc(`http_errors.${code}`);
    if (status >= 500) onServerError(err, req);
    void reply.code(status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((req, reply) => {
    metrics.inc('http_errors.ARB_API_NOT_FOUND');
    void reply.code(404).send(errorBody('ARB_API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`));
  });
}

/**
 * Structured logs (pino) that never carry a secret: values under secret-looking keys are
 * replaced, credentials inside URLs are masked, and the values of variables declared secret are
 * scrubbed from every string wherever they appear.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

const SECRET_KEY = /(secret|password|passwd|token|api[-_]?key|private[-_]?key|authorization|signature|passphrase|credential)/i;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]*):([^@\s/]*)@/gi;
const REDACTED = '[redacted]';

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Values to scrub from any string (the values of secret variables). */
  secrets?: readonly string[];
  destination?: DestinationStream;
}

export function scrubString(s: string, secrets: readonly string[]): string {
  let out = s.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

export function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { type: value.name, message: scrubString(value.message, secrets) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : scrub(v, secrets, depth + 1);
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { pid: process.pid },
      formatters: { log: (obj) => scrub(obj, secrets) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubString(a, secrets) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

/** Values of the named environment variables, for createLogger's `secrets`. */
export function secretValues(variableNames: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return variableNames.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

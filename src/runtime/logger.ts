/**
 * Structured logs (pino) that never carry a secret: values under secret-looking keys are
 * replaced, credentials inside URLs are masked, and the values of variables declared secret are
 * scrubbed from every string wherever they appear.
 */
import { pino, type Bindings, type DestinationStream, type Logger } from 'pino';

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

const MAX_DEPTH = 6;

export function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  // Deeper than we walk is deeper than we can vouch for: never pass it through unchecked.
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return { type: value.name, message: scrubString(value.message, secrets) };
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : scrub(v, secrets, depth + 1);
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { pid: process.pid },
      formatters: { log: (obj) => scrub(obj, secrets) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubArgs(args, secrets) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
  // pino serializes child bindings once, past every formatter; scrub them on the way in. Children
  // inherit this method from the root, so grandchildren are covered too.
  type ChildFn = (this: unknown, bindings: Bindings, childOptions?: unknown) => unknown;
  const pinoChild = logger.child as unknown as ChildFn;
  const scrubbingChild: ChildFn = function (this: unknown, bindings, childOptions) {
    return pinoChild.call(this, scrub(bindings, secrets) as Bindings, childOptions);
  };
  logger.child = scrubbingChild as unknown as Logger['child'];
  return logger;
}

/**
 * The first object is scrubbed by the `log` formatter; everything after it is interpolated into
 * the message (`%s`, `%j`, `%o`), so it is scrubbed here. A lone Error would have its raw message
 * copied into `msg` by pino, so it is passed as `{ err }` with a scrubbed message instead.
 */
function scrubArgs(args: unknown[], secrets: readonly string[]): unknown[] {
  if (args.length === 0) return args;
  const [first, ...rest] = args;
  if (first instanceof Error) {
    const msg = typeof rest[0] === 'string' ? (rest.shift() as string) : first.message;
    return [{ err: first }, scrubString(msg, secrets), ...rest.map((a) => scrub(a, secrets))];
  }
  const head = typeof first === 'object' && first !== null ? first : scrub(first, secrets);
  return [head, ...rest.map((a) => scrub(a, secrets))];
}

/** Values of the named environment variables, for createLogger's `secrets`. */
export function secretValues(variableNames: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return variableNames.map((n) => env[n]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

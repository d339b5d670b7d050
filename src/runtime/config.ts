/**
 * Configuration from the environment: each variable declared once with its parser and default,
 * validated at start, then frozen. A bad value stops the service with an error naming the
 * variable, never a silent fallback.
 */
import { ConfigError } from '../core/errors.js';

export interface VarSpec<T> {
  env: string;
  default?: T;
  parse: (raw: string, env: string) => T;
  /** Marks values that must never reach a log. */
  secret?: boolean;
  describe?: string;
}

export type ConfigSpec = Record<string, VarSpec<unknown>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

export const parse = {
  string: (raw: string) => raw,
  int:
    (min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) =>
    (raw: string, env: string): number => {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(env, `must be an integer, got ${JSON.stringify(raw)}`);
      const n = Number(raw);
      if (n < min || n > max) throw new ConfigError(env, `must be between ${min} and ${max}, got ${n}`);
      return n;
    },
  number:
    (min = -Infinity, max = Infinity) =>
    (raw: string, env: string): number => {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(env, `must be a number, got ${JSON.stringify(raw)}`);
      if (n < min || n > max) throw new ConfigError(env, `must be between ${min} and ${max}, got ${n}`);
      return n;
    },
  bool: (raw: string, env: string): boolean => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(env, `must be true or false, got ${JSON.stringify(raw)}`);
  },
  oneOf:
    <const T extends string>(...allowed: T[]) =>
    (raw: string, env: string): T => {
      const v = raw.trim().toLowerCase();
      if (!(allowed as string[]).includes(v)) {
        throw new ConfigError(env, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return v as T;
    },
  url:
    (...protocols: string[]) =>
    (raw: string, env: string): string => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new ConfigError(env, 'must be a URL');
      }
      if (protocols.length > 0 && !protocols.includes(u.protocol.replace(/:$/, ''))) {
        throw new ConfigError(env, `must use ${protocols.join(' or ')}, got ${u.protocol}`);
      }
      return raw;
    },
  /** A Redis key prefix (tests and staging copies share one Redis): letters, digits and _ : . - only. */
  keyPrefix: (raw: string, env: string): string => {
    if (!/^[A-Za-z0-9_:.-]*$/.test(raw)) throw new ConfigError(env, 'may hold only letters, digits and _ : . -');
    return raw;
  },
  /** An IANA time zone name Intl knows (America/New_York). */
  timeZone: (raw: string, env: string): string => {
    try {
      new Intl.DateTimeFormat('en-CA', { timeZone: raw });
    } catch {
      throw new ConfigError(env, `must be an IANA time zone, got ${JSON.stringify(raw)}`);
    }
    return raw;
  },
  list: (raw: string): string[] =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
};

export function defineVar<T>(spec: VarSpec<T>): VarSpec<T> {
  return spec;
}

/** Reads, validates and freezes a config. Throws ConfigError naming the first bad variable. */
export function loadConfig<S extends ConfigSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(spec)) {
    const raw = env[v.env];
    if (raw === undefined || raw === '') {
      if (!('default' in v)) throw new ConfigError(v.env, 'is required' + (v.describe ? ` (${v.describe})` : ''));
      out[key] = v.default;
      continue;
    }
    out[key] = v.parse(raw, v.env);
  }
  return Object.freeze(out) as ConfigOf<S>;
}

/** Names of the environment variables a spec marks secret (for log redaction). */
export function secretVariables(spec: ConfigSpec): string[] {
  return Object.values(spec)
    .filter((v) => v.secret === true)
    .map((v) => v.env);
}

import { describe, expect, it } from 'vitest';
import { defineVar, parse, secretVariables } from './config.js';
import { createLogger, scrubString, secretValues } from './logger.js';

/** A logger writing into memory, so a test can read exactly what would reach the log. */
function capture(secrets: readonly string[] = [], level = 'trace') {
  const lines: string[] = [];
  const log = createLogger({ name: 'logger-test', level, secrets, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines, text: () => lines.join('') };
}

const SECRET_VALUES = ['hunter2-pass', 'tok_live_abcdef', 'sk-key-9876', '0xdeadbeefcafe', 'Bearer zzz-auth'];

function expectNoSecret(text: string, secrets: readonly string[] = SECRET_VALUES): void {
  for (const s of secrets) expect(text, `leaked ${s}`).not.toContain(s);
}

describe('logger redacts secrets', () => {
  it('values under secret-looking keys, at any depth and in arrays', () => {
    const { log, text, lines } = capture();
    log.info(
      {
        password: 'hunter2-pass',
        nested: { token: 'tok_live_abcdef', list: [{ apiKey: 'sk-key-9876' }, { api_key: 'sk-key-9876' }] },
        privateKey: '0xdeadbeefcafe',
        private_key: '0xdeadbeefcafe',
        headers: { Authorization: 'Bearer zzz-auth', 'KALSHI-ACCESS-SIGNATURE': 'tok_live_abcdef' },
        clientSecret: 'hunter2-pass',
        passphrase: 'hunter2-pass',
        keep: 'visible',
      },
      'keys',
    );
    expectNoSecret(text());
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line.password).toBe('[redacted]');
    expect(line.keep).toBe('visible');
    expect((line.headers as Record<string, unknown>).Authorization).toBe('[redacted]');
  });

  it('objects nested deeper than the scrubber walks', () => {
    const { log, text } = capture();
    let deep: Record<string, unknown> = { password: 'hunter2-pass', url: 'redis://:hunter2-pass@h:6379' };
    for (let i = 0; i < 12; i++) deep = { level: deep };
    log.info({ deep }, 'deep');
    expect(text()).toContain('"msg":"deep"');
    expectNoSecret(text());
  });

  it('credentials inside URLs, in messages, fields, arrays and errors', () => {
    const { log, text, lines } = capture();
    log.info({ url: 'redis://:hunter2-pass@127.0.0.1:6379/0' }, 'field');
    log.info('connecting to postgres://arbees:hunter2-pass@db.local:5432/arbees');
    log.info({ list: ['rediss://user:hunter2-pass@cache:6380'] }, 'array');
    log.warn({ err: new Error('connect ECONNREFUSED redis://default:hunter2-pass@h') }, 'error field');
    expectNoSecret(text());
    // The host stays, so the line is still useful.
    expect(JSON.parse(lines[0]!).url).toBe('redis://:[redacted]@127.0.0.1:6379/0');
    expect(text()).toContain('db.local:5432');
  });

  it('values of variables declared secret, wherever they appear', () => {
    const spec = {
      kalshiKey: defineVar({ env: 'T_KALSHI_KEY', parse: parse.string, secret: true }),
      polyPass: defineVar({ env: 'T_POLY_PASSPHRASE', parse: parse.string, secret: true }),
      host: defineVar({ env: 'T_HOST', parse: parse.string }),
    };
    const env = { T_KALSHI_KEY: 'kalshi-KEY-0001', T_POLY_PASSPHRASE: 'poly-phrase-77', T_HOST: 'api.example' };
    const secrets = secretValues(secretVariables(spec), env);
    expect(secrets.sort()).toEqual(['kalshi-KEY-0001', 'poly-phrase-77']);
    const { log, text } = capture(secrets);
    log.info(`signing with kalshi-KEY-0001 for api.example`);
    log.info({ detail: 'the phrase is poly-phrase-77', n: ['x poly-phrase-77 y'] }, 'fields');
    log.error({ err: new Error('rejected key kalshi-KEY-0001') }, 'venue error');
    log.info('interpolated %s and %d', 'kalshi-KEY-0001', 5);
    expectNoSecret(text(), secrets);
    expect(text()).toContain('api.example');
  });

  it('an Error passed as the only argument (pino copies its message into msg)', () => {
    const { log, text } = capture(['hunter2-pass']);
    log.error(new Error('auth failed for redis://:hunter2-pass@h with hunter2-pass'));
    log.error(new Error('again hunter2-pass'), 'with a message');
    expect(text()).toContain('auth failed');
    expectNoSecret(text(), ['hunter2-pass']);
  });

  it('bindings of child loggers', () => {
    const { log, text } = capture(['sk-key-9876']);
    const child = log.child({ token: 'tok_live_abcdef', url: 'redis://:hunter2-pass@h', note: 'uses sk-key-9876' });
    child.info('from the child');
    child.child({ apiKey: 'sk-key-9876' }).info('grandchild');
    expect(text()).toContain('from the child');
    expect(text()).toContain('grandchild');
    expectNoSecret(text());
  });

  it('objects interpolated into the message with %j / %o / %O', () => {
    const { log, text } = capture(['sk-key-9876']);
    log.info('config %j', { password: 'hunter2-pass', url: 'redis://:hunter2-pass@h' });
    log.info('request %o', { headers: { authorization: 'Bearer zzz-auth' } });
    log.info('blob %O', { note: 'sk-key-9876' });
    expect(text()).toContain('config ');
    expectNoSecret(text());
  });

  it('leaves ordinary content and short values alone', () => {
    const { log, lines } = capture(['abc']); // under 4 characters: too short to scrub safely
    log.info({ market: 'KXNBA-26JAN01BOSNYK', price: 0.41, tokens: 12, url: 'redis://127.0.0.1:6379' }, 'abc price');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line.market).toBe('KXNBA-26JAN01BOSNYK');
    expect(line.price).toBe(0.41);
    expect(line.url).toBe('redis://127.0.0.1:6379');
    expect(line.msg).toBe('abc price');
    // `tokens` is a count, but the key looks secret: redaction errs on the safe side.
    expect(line.tokens).toBe('[redacted]');
  });

  it('scrubString masks the password part of any scheme', () => {
    expect(scrubString('redis://:pw12@h', [])).toBe('redis://:[redacted]@h');
    expect(scrubString('x amqp://u:pw12@h/v y', [])).toBe('x amqp://u:[redacted]@h/v y');
    expect(scrubString('wss://h/path?x=1', [])).toBe('wss://h/path?x=1');
  });
});

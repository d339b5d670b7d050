import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChildLogFormatter } from './child-log-formatter.js';

const plain = (format: 'pretty' | 'json' = 'pretty') => new ChildLogFormatter({ name: 'zmq_listener.0', color: false, format });

describe('child log formatter', () => {
  it('shows a pino line as time, level, message and the other fields', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 678), pid: 7, hostname: 'h', name: 'zmq_listener', msg: 'redis down', buffered: 12, err: 'connect ECONNREFUSED' });
    expect(plain().format(line)).toBe('zmq_listener.0 | 03:04:05.678 WARN  redis down buffered=12 err="connect ECONNREFUSED"');
  });

  it('passes anything that is not a pino record through unchanged', () => {
    for (const line of ['plain text', '{not json', '{"level":"info","msg":"x"}', '[1,2]', '']) {
      expect(plain().format(line)).toBe(`zmq_listener.0 | ${line}`);
    }
  });

  it('keeps the raw JSON when asked for json', () => {
    const line = JSON.stringify({ level: 30, time: 0, msg: 'hi' });
    expect(plain('json').format(line)).toBe(`zmq_listener.0 | ${line}`);
  });

  it('pads names to a common width and colours them when asked', () => {
    const f = new ChildLogFormatter({ name: 'redis', width: 10, color: true, colorIndex: 1, format: 'pretty' });
    const out = f.format('hello');
    expect(out).toContain('redis      |');
    expect(out).toContain('\x1b[');
    expect(out.endsWith('hello')).toBe(true);
  });

  it('never throws on arbitrary input and always keeps the prefix', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.record({ level: fc.integer(), time: fc.oneof(fc.integer(), fc.double()), msg: fc.anything() }).map((r) => JSON.stringify(r))), (line) => {
        expect(plain().format(line).startsWith('zmq_listener.0 | ')).toBe(true);
      }),
    );
  });
});

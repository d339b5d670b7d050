import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequest, RpcKey, RpcReplySchema, serverIdOfProcessingKey } from './rpc-protocol.js';

const arbRequest = fc.record({
  v: fc.constant(1),
  id: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/),
  clientId: fc.stringMatching(/^[A-Za-z0-9_.-]{1,100}$/),
  attempts: fc.nat(),
  deadline: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  payload: fc.jsonValue(),
});

describe('rpc wire parsing', () => {
  it('accepts every well-formed request and returns it unchanged', () => {
    fc.assert(
      fc.property(arbRequest, (request) => {
        const parsed = parseRequest(JSON.stringify(request));
        expect(parsed).toEqual({ ok: true, request: JSON.parse(JSON.stringify(request)) });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary text and rejects it unless it is a request', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseRequest(text);
        if (parsed.ok) expect(typeof parsed.request.id).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('recovers the id and client of a broken request so the client can be told', () => {
    expect(parseRequest(JSON.stringify({ v: 1, id: 'r1', clientId: 'c1', attempts: 'x' }))).toEqual({ ok: false, id: 'r1', clientId: 'c1' });
    expect(parseRequest(JSON.stringify({ v: 1, id: 'r1', clientId: 'has:colon' }))).toEqual({ ok: false, id: 'r1' });
    expect(parseRequest('{')).toEqual({ ok: false });
  });

  it('rejects replies without a matching body', () => {
    expect(RpcReplySchema.safeParse({ v: 1, id: 'a', ok: true, server: 's', result: 1 }).success).toBe(true);
    expect(RpcReplySchema.safeParse({ v: 1, id: 'a', ok: false, server: 's', error: { code: 'X', message: 'm' } }).success).toBe(true);
    expect(RpcReplySchema.safeParse({ v: 1, id: 'a', ok: false, server: 's' }).success).toBe(false);
    expect(RpcReplySchema.safeParse({ v: 2, id: 'a', ok: true, server: 's', result: 1 }).success).toBe(false);
  });

  it('reads the server id back from a processing key of its own queue only', () => {
    expect(serverIdOfProcessingKey('q', RpcKey.processing('q', 'host-1-abc'))).toBe('host-1-abc');
    expect(serverIdOfProcessingKey('q', RpcKey.processing('q2', 'host-1'))).toBeNull();
    expect(serverIdOfProcessingKey('q', 'rpc:q:processing:a*b')).toBeNull();
  });
});

import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isTransientWriteError } from './redis-writer.js';

const reply = (message: string): Error => new ReplyError(message) as Error;

describe('write error classification', () => {
  it('retries anything that is not a reply from the server', () => {
    expect(isTransientWriteError(new Error('Connection is closed.'))).toBe(true);
    expect(isTransientWriteError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isTransientWriteError(new Error('Command timed out'))).toBe(true);
  });

  it('retries replies that mean "not now"', () => {
    for (const m of ['LOADING Redis is loading the dataset in memory', 'BUSY Redis is busy running a script', 'OOM command not allowed', 'MISCONF errors writing to disk', 'READONLY You can\'t write against a read only replica.']) {
      expect(isTransientWriteError(reply(m)), m).toBe(true);
    }
  });

  it('gives up on replies that will never succeed', () => {
    expect(isTransientWriteError(reply('WRONGTYPE Operation against a key holding the wrong kind of value'))).toBe(false);
    expect(isTransientWriteError(reply('ERR Error running script (call to f_x): @user_script:1: bad'))).toBe(false);
  });
});

/**
 * `arbees up` runs the services off the critical path (zmq_listener) at a lower priority
 * (issue 13): a ManagedChild given a niceness has it once spawned, as the OS reports it.
 */
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ManagedChild } from '../src/launcher/managed-child.js';
import { UP_NICENESS } from '../src/launcher/up-services.js';

function sleeper(niceness?: number): ManagedChild {
  return new ManagedChild({
    name: 'sleeper',
    command: process.execPath,
    args: ['-e', 'setTimeout(() => {}, 30000)'],
    env: process.env,
    ipc: false,
    restart: { initialMs: 1000, maxMs: 1000, stableMs: 1000 },
    onLine: () => {},
    ...(niceness === undefined ? {} : { niceness }),
  });
}

describe('niceness of supervised children', () => {
  it('zmq_listener is in the table with a positive niceness', () => {
    expect(UP_NICENESS.zmq_listener).toBeGreaterThan(0);
  });

  it('a child given a niceness runs at it; one without runs at the parent\'s', async () => {
    const nice = sleeper(UP_NICENESS.zmq_listener);
    const plain = sleeper();
    nice.start();
    plain.start();
    try {
      expect(getPriority(nice.pid!)).toBe(UP_NICENESS.zmq_listener);
      expect(getPriority(plain.pid!)).toBe(getPriority());
    } finally {
      await nice.stop(2000);
      await plain.stop(2000);
    }
  });
});

/**
 * Microseconds since the Unix epoch with sub-millisecond resolution. `performance.timeOrigin` is
 * captured precisely at process start, so two processes on one host agree to a few microseconds;
 * that is what lets every hop compute its latency from the envelope's `ts`.
 */
const origin = performance.timeOrigin;

export function nowMicros(): number {
  return Math.round((origin + performance.now()) * 1000);
}

export function microsToIso(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

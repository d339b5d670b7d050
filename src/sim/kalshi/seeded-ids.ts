/**
 * Deterministic UUID-shaped ids: the n-th id of a given seed and namespace is always the same,
 * so two runs of the simulator with one seed produce identical order, trade and market ids.
 */
import { createHash } from 'node:crypto';

export class SeededIds {
  readonly #seed: string;
  #counter = 0;

  constructor(seed: number | string) {
    this.#seed = String(seed);
  }

  next(namespace: string): string {
    const h = createHash('sha256').update(`${this.#seed}:${namespace}:${this.#counter++}`).digest('hex');
    // Shaped as a version-4 UUID so clients that validate the format accept it.
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

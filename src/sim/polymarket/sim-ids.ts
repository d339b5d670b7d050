/**
 * Deterministic Polymarket-style identifiers from a seed: token ids are 256-bit decimal strings
 * (76-77 digits, like the real CTF position ids), condition ids 0x-prefixed 32-byte hex. The same
 * seed and game always give the same ids, so tests and recorded runs are repeatable.
 */
import { createHash } from 'node:crypto';

function digest(seed: string, ...parts: string[]): string {
  return createHash('sha256').update([seed, ...parts].join('|')).digest('hex');
}

/** A decimal token id below 2^256, never shorter than 70 digits. */
export function simTokenId(seed: string, conditionId: string, outcomeIndex: number): string {
  const n = BigInt(`0x${digest(seed, 'token', conditionId, String(outcomeIndex))}`);
  // Keep the top bits set so the id looks like a real one (no short, leading-zero ids).
  return ((n >> 2n) | (1n << 253n)).toString(10);
}

export function simConditionId(seed: string, gameId: string, marketKey: string): `0x${string}` {
  return `0x${digest(seed, 'condition', gameId, marketKey)}`;
}

export function simQuestionId(seed: string, conditionId: string): `0x${string}` {
  return `0x${digest(seed, 'question', conditionId)}`;
}

/** 40-hex book hash, like the CLOB's. */
export function bookHash(...parts: string[]): string {
  return createHash('sha1').update(parts.join('|')).digest('hex');
}

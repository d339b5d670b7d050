/**
 * What the bridge lets onto the slow track, and the identity it dedupes writes by.
 *
 * The listener subscribes with the subscriber's validation off (see zmq-listener.ts), so this is
 * the one check a mirrored message gets: the codec has already checked the envelope's shape
 * (field types), and here the bridge checks what the streams' readers rely on: a known message
 * type that its topic may carry, data that passes that type's check (the hand-written
 * TRUSTED_CHECKS for the hot `price`/`orderbook`, the zod schema for the rare rest, without
 * replacing the data by the parsed copy), and the src/id/seq the dedupe marks are built from.
 */
import type { RawEnvelope } from '../../core/envelope.js';
import { TRUSTED_CHECKS } from '../../core/message-checks.js';
import { isMessageType, MessageSchemas } from '../../core/messages.js';
import type { MirrorRoute } from './mirror-rules.js';

/** Bounds of src and id, as for other ids on the hot path (message-checks.ts). */
const MAX_IDENTITY_LENGTH = 128;

/** The boot id of an envelope id (core/envelope.ts): the dedupe marks' publisher generation. */
export { BOOT_ID_LENGTH, publisherBoot } from '../../core/envelope.js';

const isIdentity = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= MAX_IDENTITY_LENGTH;

/**
 * Null when the message may be mirrored; otherwise which part is wrong (for the counter's log
 * line). Never throws, whatever the envelope holds.
 */
export function checkMirrorable(route: MirrorRoute, envelope: RawEnvelope): string | null {
  const type = envelope.type;
  if (!isMessageType(type)) return 'type (unknown)';
  if (route.types !== null && !route.types.includes(type)) return `type (${type} on this topic)`;
  if (!isIdentity(envelope.src) || envelope.src.includes('|')) return 'src';
  if (!isIdentity(envelope.id)) return 'id';
  if (!Number.isSafeInteger(envelope.seq) || envelope.seq < 1) return 'seq';
  const trusted = TRUSTED_CHECKS[type];
  if (trusted !== undefined) {
    const problem = trusted(envelope.data);
    return problem === null ? null : `data (${problem})`;
  }
  return MessageSchemas[type].safeParse(envelope.data).success ? null : 'data';
}

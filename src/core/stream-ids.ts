/**
 * Redis stream ids (`<ms>-<seq>`) compared as numbers: as strings "10-0" < "9-0". The logs of the
 * tracker and the recorder are ordered by these ids, so every comparison goes through here.
 */
const STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

export const STREAM_START = '0-0';

export function isStreamId(id: string): boolean {
  return STREAM_ID.test(id);
}

/** Negative when a is before b, 0 when equal, positive when after. Throws on a malformed id. */
export function compareStreamIds(a: string, b: string): number {
  const [ams, aseq] = split(a);
  const [bms, bseq] = split(b);
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq !== bseq) return aseq < bseq ? -1 : 1;
  return 0;
}

function split(id: string): [bigint, bigint] {
  const m = STREAM_ID.exec(id);
  if (m === null) throw new RangeError(`${JSON.stringify(id)} is not a stream id`);
  return [BigInt(m[1]!), BigInt(m[2]!)];
}

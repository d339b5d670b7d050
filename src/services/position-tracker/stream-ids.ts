/** Moved to core (the recorder compares stream ids too); kept so the tracker's imports stay put. */
export { compareStreamIds, isStreamId, STREAM_START } from '../../core/stream-ids.js';

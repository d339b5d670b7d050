/**
 * The tap where raw outside payloads enter the system (venue WebSocket frames, HTTP answers of
 * GET requests: ESPN scoreboards and summaries, venue REST reads), for capture and replay. Off,
 * it costs one null check per payload; on, the service's CaptureWriter receives each payload
 * with its receive time. Installed once per process by the service runtime (ARBEES_RECORD).
 */

/** `source`: `ws` or `http`; `channel`: the URL (query secrets removed by the writer). */
export type CaptureSink = (source: 'ws' | 'http', channel: string, payload: string, receivedUs: number) => void;

let sink: CaptureSink | null = null;

export function setCaptureSink(next: CaptureSink | null): void {
  sink = next;
}

export function capturePayload(source: 'ws' | 'http', channel: string, payload: string, receivedUs: number): void {
  if (sink !== null) sink(source, channel, payload, receivedUs);
}

/**
 * A complete server-to-client WebSocket text frame (RFC 6455 section 5.2: FIN, opcode 1, no mask,
 * no compression bit) holding `text`, header and payload in one buffer. The hub frames each hot-path
 * event once and the same bytes go to every client's socket: going through `ws.send` per client
 * re-framed the message and allocated its header, options and write request per client per message.
 */
const FIN_TEXT = 0x81;
const LEN_16 = 126;
const LEN_64 = 127;

export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const headerLength = length < LEN_16 ? 2 : length <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = FIN_TEXT;
  if (length < LEN_16) {
    frame[1] = length;
  } else if (length <= 0xffff) {
    frame[1] = LEN_16;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LEN_64;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}

/**
 * The embedded Postgres' front door. PGlite answers every startup message as if the user were
 * authenticated (it has no pg_hba), so PGlite itself only listens on a unix socket in a private
 * (0700) directory, and this loopback TCP listener asks each client for the password with
 * SCRAM-SHA-256 (the password never crosses the socket) before it joins the client to that
 * socket. Clients see a normal PostgreSQL server that wants a password.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { scramServerFinal, scramServerFirst, type ScramServerFirst } from './scram-sha256.js';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Larger messages than this before authentication are refused (a startup message is small). */
const MAX_AUTH_MESSAGE = 16_384;
/** A client that has not authenticated by then is dropped. */
const AUTH_TIMEOUT_MS = 10_000;

export interface PostgresAuthProxyOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** PGlite's unix socket. */
  innerPath: string;
  password: string;
  onAuthFailure?: (user: string) => void;
}

export class PostgresAuthProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly o: PostgresAuthProxyOptions) {
    this.server = createServer((socket) => this.accept(socket));
  }

  /** Listens and resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.port, this.o.host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.setNoDelay(true);
    const timer = setTimeout(() => client.destroy(), AUTH_TIMEOUT_MS);
    let buffer = Buffer.alloc(0);
    let startup: Buffer | null = null;
    let user = '';
    let scram: ScramServerFirst | null = null;
    let refused = false;
    const fail = (message: string) => {
      refused = true;
      clearTimeout(timer);
      client.end(errorResponse(message));
    };
    const onData = (chunk: Buffer) => {
      if (refused) return; // whatever a refused client still sends is dropped
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const typed = startup !== null;
        const header = typed ? 5 : 4;
        if (buffer.length < header) return;
        const length = buffer.readInt32BE(typed ? 1 : 0) + (typed ? 1 : 0);
        if (length < header || length > MAX_AUTH_MESSAGE) return fail('invalid startup packet');
        if (buffer.length < length) return;
        const message = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        if (!typed) {
          const code = message.length >= 8 ? message.readInt32BE(4) : 0;
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            client.write('N'); // no encryption on loopback; the client goes on in clear
            continue;
          }
          if (code === CANCEL_REQUEST) return void client.destroy(); // PGlite cannot cancel
          if (code !== PROTOCOL_3) return fail('unsupported frontend protocol');
          startup = Buffer.from(message);
          user = startupParams(message).user ?? '';
          client.write(authMessage(10, Buffer.from('SCRAM-SHA-256\0\0')));
          continue;
        }
        if (message[0] !== 0x70 /* 'p' */) return void client.destroy();
        const body = message.subarray(5);
        if (scram === null) {
          const mechanismEnd = body.indexOf(0);
          if (body.subarray(0, mechanismEnd).toString() !== 'SCRAM-SHA-256' || body.length < mechanismEnd + 5) return fail('unsupported SASL mechanism');
          scram = scramServerFirst(body.subarray(mechanismEnd + 5).toString());
          if (scram === null) return fail('malformed SCRAM message');
          client.write(authMessage(11, Buffer.from(scram.message)));
          continue;
        }
        const final = scramServerFinal(scram, body.toString(), this.o.password);
        if (final === null) {
          this.o.onAuthFailure?.(user);
          return fail(`password authentication failed for user "${user}"`);
        }
        clearTimeout(timer);
        client.off('data', onData);
        client.write(authMessage(12, Buffer.from(final)));
        this.join(client, Buffer.concat([startup!, buffer]));
        return;
      }
    };
    client.on('data', onData);
  }

  /** Joins an authenticated client to PGlite, replaying its startup message (PGlite answers AuthenticationOk). */
  private join(client: Socket, pending: Buffer): void {
    client.pause();
    const inner = createConnection(this.o.innerPath, () => {
      inner.write(pending);
      client.pipe(inner);
      inner.pipe(client);
      client.resume();
    });
    inner.setNoDelay?.(true);
    inner.on('error', () => client.destroy());
    inner.on('close', () => client.destroy());
    client.on('close', () => inner.destroy());
  }
}

/** The key/value pairs of a StartupMessage. */
function startupParams(message: Buffer): Record<string, string> {
  const parts = message.subarray(8).toString().split('\0');
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) out[parts[i]!] = parts[i + 1]!;
  return out;
}

/** An Authentication* message ('R') of the given kind. */
function authMessage(kind: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(9 + payload.length);
  out.write('R', 0);
  out.writeInt32BE(8 + payload.length, 1);
  out.writeInt32BE(kind, 5);
  payload.copy(out, 9);
  return out;
}

/** A FATAL ErrorResponse, SQLSTATE 28P01 (invalid_password) or 08P01 (protocol violation). */
function errorResponse(message: string): Buffer {
  const code = message.startsWith('password') ? '28P01' : '08P01';
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const out = Buffer.alloc(5 + fields.length);
  out.write('E', 0);
  out.writeInt32BE(4 + fields.length, 1);
  fields.copy(out, 5);
  return out;
}

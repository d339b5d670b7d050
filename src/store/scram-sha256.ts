/**
 * The server side of SCRAM-SHA-256 (RFC 5802/7677), as PostgreSQL speaks it: what the embedded
 * Postgres' front door needs to check a client's password without it crossing the socket.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;

export interface ScramServerFirst {
  /** Sent to the client (SASLContinue). */
  readonly message: string;
  readonly clientFirstBare: string;
  readonly nonce: string;
  readonly salt: Buffer;
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** From the client-first message (`n,,n=user,r=nonce`); null when it is not one. */
export function scramServerFirst(clientFirst: string): ScramServerFirst | null {
  const m = /^[nyp][^,]*,[^,]*,(.*)$/.exec(clientFirst);
  const clientFirstBare = m?.[1];
  const clientNonce = clientFirstBare === undefined ? undefined : /(?:^|,)r=([^,]+)/.exec(clientFirstBare)?.[1];
  if (clientFirstBare === undefined || clientNonce === undefined) return null;
  const nonce = clientNonce + randomBytes(18).toString('base64');
  const salt = randomBytes(16);
  return { message: `r=${nonce},s=${salt.toString('base64')},i=${ITERATIONS}`, clientFirstBare, nonce, salt };
}

/**
 * Checks the client-final message (`c=...,r=...,p=proof`) against the password; returns the
 * server-final message (`v=signature`, proving the server knew it too) or null on a wrong password.
 */
export function scramServerFinal(first: ScramServerFirst, clientFinal: string, password: string): string | null {
  const proofAt = clientFinal.lastIndexOf(',p=');
  if (proofAt < 0) return null;
  const withoutProof = clientFinal.slice(0, proofAt);
  if (/(?:^|,)r=([^,]+)/.exec(withoutProof)?.[1] !== first.nonce) return null;
  const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
  const salted = pbkdf2Sync(password.normalize('NFKC'), first.salt, ITERATIONS, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = sha256(clientKey);
  const authMessage = `${first.clientFirstBare},${first.message},${withoutProof}`;
  const signature = hmac(storedKey, authMessage);
  if (proof.length !== signature.length) return null;
  const claimedKey = Buffer.alloc(proof.length);
  for (let i = 0; i < proof.length; i++) claimedKey[i] = proof[i]! ^ signature[i]!;
  if (!timingSafeEqual(sha256(claimedKey), storedKey)) return null;
  return `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`;
}

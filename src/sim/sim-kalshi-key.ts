/**
 * The simulator's Kalshi API key: an RSA key pair made once per data dir (`<data dir>/sim/`),
 * so the services sign their requests exactly as they would on Kalshi and the simulator checks
 * the signatures. The key id is derived from the public key, so it stays the same across runs.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface SimKalshiKeyFiles {
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

function simKeyDir(dataDir: string): string {
  return path.join(dataDir, 'sim');
}

/** A Kalshi-style key id (a UUID) from the public key, stable for a key. */
function keyIdOf(publicKeyPem: string): string {
  const h = createHash('sha256').update(publicKeyPem).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Creates the key pair when missing (or unreadable) and returns where it is. */
export function ensureSimKalshiKey(dataDir: string): SimKalshiKeyFiles {
  const dir = simKeyDir(dataDir);
  const privateKeyPath = path.join(dir, 'kalshi-key.pem');
  const publicKeyPath = path.join(dir, 'kalshi-key.pub.pem');
  let publicKeyPem = existsSync(privateKeyPath) && existsSync(publicKeyPath) ? readValidPublicKey(publicKeyPath) : null;
  if (publicKeyPem === null) {
    mkdirSync(dir, { recursive: true });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600 });
    chmodSync(privateKeyPath, 0o600);
    writeFileSync(publicKeyPath, publicKeyPem);
  }
  return { keyId: keyIdOf(publicKeyPem), privateKeyPath, publicKeyPath };
}

function readValidPublicKey(file: string): string | null {
  try {
    const pem = readFileSync(file, 'utf8');
    return createPublicKey(pem).asymmetricKeyType === 'rsa' ? pem : null;
  } catch {
    return null;
  }
}

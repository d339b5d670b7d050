/** Shared set-up of the Kalshi integration tests: keys, games and a started simulator. */
import { generateKeyPairSync } from 'node:crypto';
import type { Sport } from '../src/core/topics.js';
import { KalshiSimVenue, type KalshiSimVenueOptions } from '../src/sim/kalshi/kalshi-sim-venue.js';
import type { SimGameView, SimTeam } from '../src/sim/world.js';
import { KalshiSigner } from '../src/venues/kalshi/auth.js';

export interface TestKey {
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  signer: KalshiSigner;
}

export function makeKey(keyId: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { keyId, privateKeyPem, publicKeyPem, signer: new KalshiSigner({ keyId, privateKeyPem }) };
}

const team = (name: string, abbr: string, location: string, mascot: string): SimTeam => ({ name, abbr, espnId: abbr, location, mascot });

export function nbaGame(id = 'g-nba-1'): SimGameView {
  return {
    id,
    sport: 'nba',
    home: team('Los Angeles Lakers', 'LAL', 'Los Angeles', 'Lakers'),
    away: team('Boston Celtics', 'BOS', 'Boston', 'Celtics'),
    // 19:30 Eastern on 24 Nov 2026.
    startTime: new Date('2026-11-25T00:30:00Z'),
    status: 'live',
    period: 1,
    clockS: 600,
    homeScore: 0,
    awayScore: 0,
    homeWinProb: 0.55,
    drawProb: 0,
    winner: null,
  };
}

export function soccerGame(id = 'g-epl-1', sport: Sport = 'epl'): SimGameView {
  return {
    ...nbaGame(id),
    sport,
    home: team('Arsenal', 'ARS', 'Arsenal', 'Gunners'),
    away: team('Chelsea', 'CHE', 'Chelsea', 'Blues'),
    startTime: new Date('2026-11-28T15:00:00Z'),
    drawProb: 0.25,
  };
}

export async function startVenue(options: KalshiSimVenueOptions = {}) {
  const venue = new KalshiSimVenue({ seed: 42, ...options });
  const urls = await venue.start();
  return { venue, ...urls };
}

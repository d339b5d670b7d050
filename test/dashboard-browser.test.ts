/**
 * The dashboard in a real headless Chromium against `arbees up` on the simulators: the page loads
 * from the api, shows live games with prices that update, a trade appears, the kill switch is
 * toggled through the UI with the token (confirmation dialog) and the state shows in Redis; the
 * page fits a phone-width screen. Also: the dashboard's sources type-check and import no server code.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlowKey } from '../src/core/slow-keys.js';
import { freePort } from '../src/launcher/process-utils.js';
import { launchChromium } from './helpers/browser.js';
import { eventually } from './helpers/redis.js';
import { cleanUpAll, startUp, waitForOutput, type UpProcess } from './supervisor-harness.js';

let up: UpProcess;
let browser: Browser;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  up = startUp({
    ARBEES_API_PORT: String(port),
    ARBEES_SIM_ESPN_PORT: '0', ARBEES_SIM_KALSHI_PORT: '0', ARBEES_SIM_GAMMA_PORT: '0', ARBEES_SIM_CLOB_PORT: '0',
    ARBEES_SIM_SPEED: '20',
    ARBEES_SIM_GAMES: '12',
  });
  await waitForOutput(up, /Dashboard +http:\/\/\S+/, 1, 60_000);
  url = /Dashboard +(http:\/\/\S+)/.exec(up.output())![1]!;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await cleanUpAll();
}, 30_000);

describe('dashboard in Chromium on arbees up', () => {
  it('arbees up prints the dashboard URL as its last start-up line and the token file', () => {
    const banner = up.output().split('\n').filter((l) => l.startsWith('arbees'));
    expect(banner.at(-1)).toMatch(/Dashboard +http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(up.output()).toContain(`bearer token in ${path.resolve(up.dataDir, 'api-token')} (mode 0600)`);
  });

  it('loads, shows live games with updating prices, a trade appears, the kill switch toggles through the UI into Redis, a position is flattened', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The banner comes when every child is started; the api listens a moment later.
    await eventually(async () => (await fetch(url).catch(() => null))?.ok === true, 30_000, 'the api to listen');
    await page.goto(url);
    await expect.poll(() => page.locator('#conn').textContent(), { timeout: 30_000 }).toBe('live');
    await expect.poll(() => page.locator('#games tbody tr').count(), { timeout: 60_000 }).toBeGreaterThan(0);

    // Prices update live: the kalshi quote column changes without a reload.
    await expect.poll(() => page.locator('#games td.q-kalshi').filter({ hasText: '/' }).filter({ hasNotText: '–' }).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    const first = await page.locator('#games td.q-kalshi').allTextContents();
    await expect.poll(async () => (await page.locator('#games td.q-kalshi').allTextContents()).join('|') !== first.join('|'), { timeout: 60_000 }).toBe(true);

    await expect.poll(() => page.locator('#trades tbody tr.trade').count(), { timeout: 90_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('#svc-health').textContent(), { timeout: 20_000 }).toMatch(/^\d+\/\d+$/);

    const token = readFileSync(path.join(up.dataDir, 'api-token'), 'utf8').trim();
    const redis = new Redis(up.state()!.redis!.url);
    try {
      await page.locator('#kill').click();
      await expect(page.locator('#confirm')).toBeTruthy();
      await page.locator('#token-input').fill(token);
      await page.locator('#confirm-ok').click();
      await eventually(async () => /^on: /.test((await redis.get(SlowKey.killSwitch)) ?? ''), 10_000, 'kill switch on in Redis');
      await expect.poll(() => page.locator('#kill').textContent(), { timeout: 10_000 }).toBe('Kill switch: ON');
      await expect.poll(() => page.locator('#audit li').first().textContent(), { timeout: 5_000 }).toMatch(/kill-switch: kill switch ON \(audit \d+-\d+\)/);

      // Off again: the token is remembered, the dialog only asks for confirmation.
      await page.locator('#kill').click();
      expect(await page.locator('#token-row').isVisible()).toBe(false);
      await page.locator('#confirm-ok').click();
      await eventually(async () => (await redis.get(SlowKey.killSwitch)) === 'off', 10_000, 'kill switch off in Redis');
      await expect.poll(() => page.locator('#kill').textContent(), { timeout: 10_000 }).toBe('Kill switch: off');

      // Cancel changes nothing.
      await page.locator('#kill').click();
      await page.locator('#confirm button[value=cancel]').click();
      await new Promise((r) => setTimeout(r, 300));
      expect(await redis.get(SlowKey.killSwitch)).toBe('off');
      const audit = await redis.xrevrange(SlowKey.auditApi, '+', '-', 'COUNT', 10);
      expect(audit.filter(([, f]) => f.includes('kill-switch') && f.includes('ok'))).toHaveLength(2);

      // Flatten one position through the UI: an exit signal goes to execution, and its trade shows up.
      await expect.poll(() => page.locator('#positions button[data-flatten]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
      const exitTradesBefore = await page.locator('#trades tbody tr.trade', { hasText: '(exit)' }).count();
      await page.locator('#positions button[data-flatten]').first().click();
      await page.locator('#confirm-ok').click();
      await expect.poll(() => page.locator('#audit li').first().textContent(), { timeout: 10_000 }).toMatch(/flatten: 1 exit signal\(s\) sent for position .* \(audit \d+-\d+\)/);
      await expect.poll(() => page.locator('#trades tbody tr.trade', { hasText: '(exit)' }).count(), { timeout: 30_000 }).toBeGreaterThan(exitTradesBefore);
      // ...and it is the api's manual exit that execution decided on (filled or refused by its risk checks).
      await eventually(async () => (await redis.xrevrange(SlowKey.tradesCompleted, '+', '-', 'COUNT', 200)).some(([, f]) => f.join(' ').includes('"source_id":"api-')), 30_000, 'the manual exit in trades:completed');
    } finally {
      redis.disconnect();
    }

    // Phone width: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);
});

describe('dashboard sources', () => {
  it('type-check, and import only types from the server side', () => {
    execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'web/tsconfig.json'], { stdio: 'pipe' });
    for (const file of readdirSync('web/src')) {
      const text = readFileSync(path.join('web/src', file), 'utf8');
      for (const m of text.matchAll(/^import (type )?.* from '([^']+)';$/gm)) {
        if (m[2]!.startsWith('../../src/')) expect(m[1], `${file} imports ${m[2]} as a value`).toBe('type ');
      }
    }
  }, 60_000);
});

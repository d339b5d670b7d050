/**
 * The report on a hand-checked fixture (every figure below worked out by hand from
 * report-fixture.ts), on an empty database, and the HTML page rendered by a real headless
 * Chromium from a file with the network cut off.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePool } from '../src/store/migrate.js';
import { HistoryReader, saveReport } from '../src/store/history-reader.js';
import { buildReport } from '../src/store/report/report-builder.js';
import { renderHtml } from '../src/store/report/report-html.js';
import { renderMarkdown } from '../src/store/report/report-markdown.js';
import type { Report } from '../src/store/report/report-types.js';
import { createServerDatabase } from './helpers/postgres.js';
import { FIXTURE_PERIOD, openFixtureDatabase, S, T0 } from './report-fixture.js';

let pool: pg.Pool;
let report: Report;

let closeFixture: () => Promise<void>;

beforeAll(async () => {
  ({ pool, close: closeFixture } = await openFixtureDatabase());
  report = await buildReport(pool, FIXTURE_PERIOD);
});

afterAll(async () => {
  await closeFixture();
});

describe('report on the fixture', () => {
  it('totals: P&L net of fees, fee drag, win rate, drawdown', () => {
    expect(report.empty).toBe(false);
    expect(report.totals).toEqual({
      signals: 4, trades: 4, fills: 4, contracts: 40,
      realisedCc: 42_300 - 42_700 + 54_000, // 53,600
      unrealisedCc: -500,
      feesCc: 1_700 + 1_700 + 1_000 + 1_000,
      feeDrag: 5_400 / (53_600 + 5_400),
      closedPositions: 3, openPositions: 1, winRate: 2 / 3,
      maxDrawdownCc: 42_700, // either order of the two g2 settlements falls 42,700 from a peak
    });
  });

  it('P&L by sport, signal kind and venue', () => {
    expect(report.pnlBySport.map((r) => [r.key, r.positions, r.realisedCc, r.wins])).toEqual([['nba', 1, 42_300, 1], ['nhl', 2, 11_300, 1]]);
    expect(report.pnlByKind.map((r) => [r.key, r.realisedCc])).toEqual([['model_edge', 42_300], ['arbitrage', 11_300]]);
    expect(report.pnlByVenue.map((r) => [r.key, r.realisedCc, r.feesCc])).toEqual([['poly', 54_000, 1_000], ['kalshi', -400, 3_400]]);
  });

  it('the signal funnel', () => {
    expect(report.funnel).toEqual({
      signals: 4,
      bySignalKind: [{ kind: 'model_edge', count: 2 }, { kind: 'arbitrage', count: 1 }, { kind: 'score_change', count: 1 }],
      decided: 3, filled: 2, partial: 0, rejected: 1, failed: 0, unknown: 0, undecided: 1,
      rejectedByReason: [{ reason: 'RISK_LIMIT', count: 1 }],
    });
  });

  it('edge at signal vs fill, slippage, holding time, closing-line value', () => {
    // s1: 0.05 - 0.01 slippage; s2 (arbitrage, per pair of 10): 0.03 - (0.01 * 10 + 0) / 10.
    expect(report.edge.atSignal).toBeCloseTo(0.04, 10);
    expect(report.edge.atFill).toBeCloseTo(0.03, 10);
    expect(report.slippage.legs).toBe(3);
    expect(report.slippage.meanPoints).toBeCloseTo(0.02 / 3, 10);
    expect(report.slippage.p50Points).toBeCloseTo(0.01, 10);
    expect(report.slippage.costCc).toBe(2_000);
    expect(report.holding.positions).toBe(3);
    expect(report.holding.meanS).toBeCloseTo((3_590 + 7_180 + 7_180) / 3, 6);
    expect(report.holding.p50S).toBe(7_180);
    // Closes: g1 0.91 (not the 0.995 after the final), KX-G2 0.11, P-G2 0.13 (we hold NO at 0.55).
    expect(report.closingLine.entries).toBe(3);
    expect(report.closingLine.meanPoints).toBeCloseTo((0.35 - 0.3 + 0.42) / 3, 10);
    expect(report.closingLine.beatShare).toBeCloseTo(2 / 3, 10);
  });

  it('calibration on finished games only, and exposure', () => {
    const c = report.calibration;
    expect(c.games).toBe(2);
    expect(c.forecasts).toBe(3);
    expect(c.brier).toBeCloseTo((0.16 + 0.09 + 0.16) / 3, 10);
    expect(c.espnBrier).toBeCloseTo((0.25 + 0.04) / 2, 10);
    expect(c.baseRateBrier).toBeCloseTo(2 / 9, 10);
    expect(c.reliability[4]).toMatchObject({ n: 1, observedRate: 0 });
    expect(c.reliability[6]).toMatchObject({ n: 1, observedRate: 1 });
    expect(c.reliability[7]).toMatchObject({ n: 1, observedRate: 1 });
    expect(Math.max(...report.exposure.map((p) => p.exposureCc))).toBe(56_000 + 41_000 + 45_000 + 30_000);
    expect(report.equity.at(-1)!.equityCc).toBe(53_600);
  });

  it('incidents in the period only', () => {
    expect(report.incidents.total).toBe(2);
    expect(report.incidents.deadLetters).toBe(1);
    expect(report.incidents.byKind).toEqual(expect.arrayContaining([{ kind: 'stream_gap', severity: 'warning', count: 1 }, { kind: 'health_dead', severity: 'critical', count: 1 }]));
  });

  it('renders Markdown with the figures, and stores and reads it back through the history reader', async () => {
    const md = renderMarkdown(report);
    expect(md).toContain('| realised P&L (net of fees) | $5.36 |');
    expect(md).toContain('| nhl | 2 | $1.13 |');
    expect(md).toContain('| RISK_LIMIT | 1 |');
    expect(md).toMatch(/Brier: model 0\.1367, ESPN 0\.1450/);
    const id = await saveReport(pool, report, md);
    await saveReport(pool, report, md); // the same period twice: one row
    const reader = new HistoryReader(pool);
    expect((await reader.reports()).map((r) => r.reportId)).toEqual([id]);
    expect((await reader.report(id))!.body.totals.realisedCc).toBe(53_600);
    const trades = await reader.trades({ sinceTs: T0, limit: 2 });
    expect(trades.map((t) => t.tradeId)).toEqual(['t4', 't3']);
    const t2 = (await reader.trades({ gameId: 'g2' }))[0]!;
    expect(t2).toMatchObject({ signalKind: 'arbitrage', feesCc: 2_700 });
    expect(t2.fills.map((f) => [f.venue, f.side, f.yesPrice, f.feeCc])).toEqual([['kalshi', 'yes', 0.41, 1_700], ['poly', 'no', 0.55, 1_000]]);
    expect((await reader.positions({ state: 'open' })).map((p) => p.positionId)).toEqual(['p4']);
  });

  it('says so on an empty database, and for a period before any history', async () => {
    const before = await buildReport(pool, { sinceUs: T0 - 100 * 3_600 * S, untilUs: T0 - 99 * 3_600 * S, timeZone: 'UTC' });
    expect(before.empty).toBe(true);
    const other = await createServerDatabase();
    const otherPool = new pg.Pool({ connectionString: other.url, max: 1 });
    otherPool.on('error', () => {});
    try {
      await migratePool(otherPool);
      expect((await buildReport(otherPool, { sinceUs: 0, untilUs: T0 * 2, timeZone: 'UTC' })).empty).toBe(true);
    } finally {
      await otherPool.end();
      await other.drop();
    }
    const empty = before;
    expect(renderMarkdown(empty)).toMatch(/No history recorded in this period/);
    expect(renderHtml(empty)).toContain('id="empty"');
  });
});

describe('HTML report', () => {
  it('opens from a file in headless Chromium with no network and draws its charts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'arb-report-'));
    const file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(`file://${file}`);
      expect(await page.locator('#equity svg path.line').count()).toBe(1);
      expect(await page.locator('#exposure svg path.line').count()).toBe(1);
      expect(await page.locator('#pnl-by-sport svg rect').count()).toBe(2);
      expect(await page.locator('#calibration svg circle').count()).toBe(3);
      const box = await page.locator('#equity svg').boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.locator('#summary').innerText()).toContain('$5.36');
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/** The report as Markdown: the daily message, `arbees report --format md`, and reports.markdown. */
import { duration, num, pct, points, usd, when } from './report-format.js';
import type { PnlRow, Report } from './report-types.js';

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function pnlTable(title: string, rows: readonly PnlRow[]): string {
  if (rows.length === 0) return `### ${title}\n\nNo closed positions.`;
  return `### ${title}\n\n${table(
    ['', 'positions', 'realised P&L', 'fees', 'win rate'],
    rows.map((r) => [r.key, String(r.positions), usd(r.realisedCc), usd(r.feesCc), pct(r.positions === 0 ? null : r.wins / r.positions)]),
  )}`;
}

export function renderMarkdown(r: Report): string {
  const tz = r.timeZone;
  const head = `# arbees ${r.kind} report\n\n${when(r.sinceUs, tz)} → ${when(r.untilUs, tz)} (generated ${when(r.generatedUs, tz)})`;
  if (r.empty) return `${head}\n\nNo history recorded in this period: no signals, trades, positions, game states or incidents. Is the recorder running (\`arbees up\` starts it) and is this the right period?\n`;
  const t = r.totals;
  const f = r.funnel;
  const sections = [
    head,
    `## Summary\n\n${table(['', ''], [
      ['realised P&L (net of fees)', usd(t.realisedCc)],
      ['unrealised P&L (open positions)', usd(t.unrealisedCc)],
      ['fees', `${usd(t.feesCc)} (fee drag ${pct(t.feeDrag)})`],
      ['win rate', `${pct(t.winRate)} of ${t.closedPositions} closed positions`],
      ['open positions', String(t.openPositions)],
      ['max drawdown', usd(t.maxDrawdownCc)],
      ['signals / trades / fills', `${t.signals} / ${t.trades} / ${t.fills} (${num(t.contracts, 0)} contracts)`],
    ])}`,
    `## P&L\n\n${pnlTable('By sport', r.pnlBySport)}\n\n${pnlTable('By signal kind', r.pnlByKind)}\n\n${pnlTable('By venue', r.pnlByVenue)}`,
    `## Signal funnel\n\n${table(['stage', 'count'], [
      ['signals', String(f.signals)],
      ...f.bySignalKind.map((k) => [`  ${k.kind}`, String(k.count)]),
      ['decided by execution', String(f.decided)],
      ['filled', String(f.filled)],
      ['partially filled', String(f.partial)],
      ['rejected', String(f.rejected)],
      ['failed', String(f.failed)],
      ['unknown outcome', String(f.unknown)],
      ['no decision recorded', String(f.undecided)],
    ])}${f.rejectedByReason.length === 0 ? '' : `\n\nRejected by reason:\n\n${table(['reason', 'count'], f.rejectedByReason.map((x) => [x.reason, String(x.count)]))}`}`,
    `## Execution quality\n\n${table(['', ''], [
      ['edge at signal (mean net)', points(r.edge.atSignal)],
      ['edge at fill (after slippage)', points(r.edge.atFill)],
      ['slippage per leg (mean / p50 / p90)', `${points(r.slippage.meanPoints)} / ${points(r.slippage.p50Points)} / ${points(r.slippage.p90Points)} over ${r.slippage.legs} legs`],
      ['slippage cost', usd(r.slippage.costCc)],
      ['holding time (mean / p50 / p90)', `${duration(r.holding.meanS)} / ${duration(r.holding.p50S)} / ${duration(r.holding.p90S)}`],
      ['closing-line value (mean, contract-weighted)', `${points(r.closingLine.meanPoints)}; beat the close on ${pct(r.closingLine.beatShare)} of ${r.closingLine.entries} entries`],
    ])}`,
    calibrationSection(r),
    incidentSection(r),
  ];
  return sections.join('\n\n') + '\n';
}

function calibrationSection(r: Report): string {
  const c = r.calibration;
  if (c.forecasts === 0) return '## Model calibration\n\nNo finished game with model probabilities in this period.';
  const bins = c.reliability.filter((b) => b.n > 0).map((b) => [`${b.from.toFixed(1)}–${b.to.toFixed(1)}`, String(b.n), num(b.meanPredicted), num(b.observedRate)]);
  return `## Model calibration\n\n${c.forecasts} forecasts over ${c.games} finished games. Brier: model ${num(c.brier, 4)}, ESPN ${num(c.espnBrier, 4)}, base rate ${num(c.baseRateBrier, 4)} (lower is better).\n\n${table(['predicted', 'n', 'mean predicted', 'observed'], bins)}`;
}

function incidentSection(r: Report): string {
  const i = r.incidents;
  if (i.total === 0 && i.deadLetters === 0) return '## Incidents\n\nNone.';
  const kinds = table(['kind', 'severity', 'count'], i.byKind.map((k) => [k.kind, k.severity, String(k.count)]));
  const recent = i.recent.map((x) => `- ${when(x.ts, r.timeZone)} **${x.severity}** ${x.kind} (${x.source}): ${x.message}`).join('\n');
  return `## Incidents\n\n${i.total} incidents, ${i.deadLetters} dead-lettered stream entries.\n\n${kinds}\n\nMost recent:\n\n${recent}`;
}

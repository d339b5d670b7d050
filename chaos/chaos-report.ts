/**
 * What a chaos run found: one row per check (the fault, what must hold, what was seen), printed as
 * the Markdown table the README's reliability section records, and kept as JSON beside the
 * benchmark results.
 */
export interface ChaosCheck {
  fault: string;
  check: string;
  observed: string;
  pass: boolean;
}

export class ChaosReport {
  readonly checks: ChaosCheck[] = [];
  readonly notes: string[] = [];

  add(fault: string, check: string, pass: boolean, observed: string): void {
    this.checks.push({ fault, check, observed, pass });
    process.stdout.write(`  ${pass ? 'PASS' : 'FAIL'}  ${fault}: ${check} (${observed})\n`);
  }

  /** A scenario that could not be run at all is a failure with the reason. */
  failed(fault: string, err: unknown): void {
    this.add(fault, 'scenario ran to the end', false, err instanceof Error ? err.message : String(err));
  }

  note(text: string): void {
    this.notes.push(text);
    process.stdout.write(`  note: ${text}\n`);
  }

  get passed(): boolean {
    return this.checks.length > 0 && this.checks.every((c) => c.pass);
  }

  table(): string {
    const rows = this.checks.map((c) => `| ${c.fault} | ${c.check} | ${c.observed.replace(/\|/g, '/')} | ${c.pass ? 'pass' : '**FAIL**'} |`);
    return ['| Fault | Check | Observed | Result |', '|---|---|---|---|', ...rows].join('\n');
  }
}

/**
 * Realised P&L of the current trading day. The day is the calendar date in a chosen time zone
 * (US sports trade on Eastern evenings; a UTC boundary would split one night's games in two).
 * Realised P&L is booked when a position closes or settles, by close time, with fees included:
 * the reference system counted only fees here, and its other copy filtered by entry date.
 */
export class DailyPnl {
  private readonly format: Intl.DateTimeFormat;
  private day = '';
  private realised = 0;

  constructor(timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  dayOf(nowUs: number): string {
    return this.format.format(new Date(Math.floor(nowUs / 1000)));
  }

  record(realisedCc: number, nowUs: number): void {
    if (!Number.isSafeInteger(realisedCc)) throw new RangeError(`realised ${realisedCc} is not an integer number of cc`);
    this.roll(nowUs);
    this.realised += realisedCc;
  }

  realisedTodayCc(nowUs: number): number {
    return this.dayOf(nowUs) === this.day ? this.realised : 0;
  }

  private roll(nowUs: number): void {
    const day = this.dayOf(nowUs);
    if (day !== this.day) {
      this.day = day;
      this.realised = 0;
    }
  }
}

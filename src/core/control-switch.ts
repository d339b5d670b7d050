/**
 * How a control key (`control:kill_switch`, `control:entries_paused`) reads: ON is any value but
 * "0", "false", "off", "" and the like, so `SET control:kill_switch 1` or a reason text both halt.
 * One definition for the writer (the api) and the readers (execution_service).
 */
const OFF_VALUES = new Set(['', '0', 'false', 'off', 'no', 'resume', 'disable', 'disabled']);

export function controlValueIsOn(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && !OFF_VALUES.has(value.trim().toLowerCase());
}

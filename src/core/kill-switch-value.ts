/**
 * How the kill switch's value reads (`control:kill_switch`): ON is any value but "0", "false",
 * "off", "" and the like, so `SET control:kill_switch 1` or a reason text both halt. Shared by
 * execution_service (which obeys it) and notification_service (which reports it).
 */
const OFF_VALUES = new Set(['', '0', 'false', 'off', 'no', 'resume', 'disable', 'disabled']);

export function killSwitchValueIsOn(value: string | null): boolean {
  return value !== null && !OFF_VALUES.has(value.trim().toLowerCase());
}

/**
 * A webhook URL fit for a log line: scheme and host only. The path of a webhook URL is, or may
 * be, its token (Slack, Discord, most generic hooks), and so is its query.
 */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    // Not even the first segment: a shorter prefix of a secret URL would itself be scrubbed whole from logs.
    const path = u.pathname === '/' ? '/' : '/[redacted]';
    return `${u.protocol}//${u.host}${path}${u.search === '' ? '' : '?[redacted]'}`;
  } catch {
    return '[unparsable URL]';
  }
}

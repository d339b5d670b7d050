/**
 * A URL fit for a log line: credentials and query removed, and, for webhook URLs whose path is
 * the token itself (Slack, Discord), the path reduced to its first segment.
 */
export function maskUrl(raw: string, pathIsSecret: boolean): string {
  // (pathIsSecret: the path past its first segment is hidden too)
  try {
    const u = new URL(raw);
    const first = u.pathname.split('/').filter((s) => s.length > 0)[0];
    const path = pathIsSecret ? `/${first ?? ''}/[redacted]` : u.pathname;
    return `${u.protocol}//${u.host}${path}${u.search === '' ? '' : '?[redacted]'}`;
  } catch {
    return '[unparsable URL]';
  }
}

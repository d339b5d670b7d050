/** REST calls of the dashboard: the one initial load, and the controls (with the bearer token). */
import type { ControlResult, ApiErrorBody } from '../../src/core/api-protocol.js';

const TOKEN_KEY = 'arbees.api-token';

export const tokenStore = {
  get: (): string => localStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string): void => (t === '' ? localStorage.removeItem(TOKEN_KEY) : localStorage.setItem(TOKEN_KEY, t)),
};

export async function getJson<T>(path: string): Promise<T> {
  const token = tokenStore.get();
  // On loopback reads are open; off loopback the api wants the token for them too.
  const res = await fetch(path, { headers: { accept: 'application/json', ...(token !== '' ? { authorization: `Bearer ${token}` } : {}) } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** POSTs a control; resolves to the audit result or to an error text with its code. */
export async function postControl(path: string, body: unknown): Promise<{ ok: boolean; text: string; result?: ControlResult }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenStore.get()}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as ControlResult | ApiErrorBody;
  if ('error' in json) {
    if (res.status === 401) tokenStore.set('');
    return { ok: false, text: `${json.error.code}: ${json.error.message}` };
  }
  return { ok: json.ok, text: `${json.action}: ${json.detail} (audit ${json.audit_id ?? 'not written'})`, result: json };
}

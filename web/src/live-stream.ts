/**
 * The dashboard's one connection to the api: /ws with a subscription to every family it shows.
 * Reconnects with backoff when the link drops (the api sends a fresh snapshot on each subscribe).
 */
import type { WsServerMessage } from '../../src/core/api-protocol.js';
import { tokenStore } from './api-client.js';

export const STREAM_PREFIXES = ['games.', 'prices.', 'signals.trade.', 'trades.completed.', 'positions.', 'health.', 'status.'];

export class LiveStream {
  #socket: WebSocket | null = null;
  #attempt = 0;

  constructor(
    private readonly onMessage: (m: WsServerMessage) => void,
    private readonly onState: (state: 'live' | 'connecting' | 'down') => void,
  ) {}

  connect(): void {
    const token = tokenStore.get();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token !== '' ? `?token=${encodeURIComponent(token)}` : ''}`;
    this.onState('connecting');
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#attempt = 0;
      this.onState('live');
      socket.send(JSON.stringify({ subscribe: STREAM_PREFIXES }));
    };
    socket.onmessage = (ev) => {
      try {
        this.onMessage(JSON.parse(String(ev.data)) as WsServerMessage);
      } catch (err) {
        console.warn('bad message from /ws', err);
      }
    };
    socket.onclose = () => {
      this.onState('down');
      const delay = Math.min(10_000, 500 * 2 ** this.#attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }
}

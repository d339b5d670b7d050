/**
 * A stranger on the hot path: a ZeroMQ PUB socket of the chaos run's own, listed in the registry
 * the way a service lists itself, so every subscriber that follows the registry connects to it.
 * It sends what an attacker or a broken peer would: valid-looking trade signals under any source
 * name, and frames larger than any subscriber accepts.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import * as zmq from 'zeromq';
import { ENVELOPE_VERSION, type RawEnvelope } from '../src/core/envelope.js';
import { nowMicros } from '../src/core/time.js';
import { EnvelopeCodec } from '../src/bus/codec.js';
import { registryKey } from '../src/bus/registry.js';

export class ForeignPublisher {
  private readonly codec = new EnvelopeCodec();
  private seq = 0;
  private beat: NodeJS.Timeout | null = null;

  private constructor(
    private readonly socket: zmq.Publisher,
    readonly endpoint: string,
    private readonly redis: Redis,
    /** The registry role it claims (`fakepub`, or `game_shard` for an impostor). */
    readonly service: string,
    readonly instance: string,
  ) {}

  static async start(redis: Redis, runDir: string, service: string, instance: string): Promise<ForeignPublisher> {
    const socket = new zmq.Publisher({ linger: 0, sendHighWaterMark: 10_000 });
    const endpoint = `ipc://${path.join(runDir, `foreign-${service}-${instance}.ipc`)}`;
    await socket.bind(endpoint);
    const pub = new ForeignPublisher(socket, endpoint, redis, service, instance);
    await pub.register();
    pub.beat = setInterval(() => void pub.register().catch(() => {}), 2_000);
    return pub;
  }

  get src(): string {
    return `${this.service}.${this.instance}`;
  }

  /** A registry entry like a service's own heartbeat: no key, no signature, just a claim. */
  private async register(): Promise<void> {
    const entry = {
      service: this.service,
      instance: this.instance,
      role: this.service,
      status: 'healthy',
      pid: process.pid,
      host: hostname(),
      started_ts: nowMicros(),
      endpoints: [this.endpoint],
      metrics: {},
      ts: nowMicros(),
    };
    await this.redis.set(registryKey(this.service, this.instance), JSON.stringify(entry), 'PX', 6_000);
  }

  /** One envelope as our publishers build it, under this publisher's claimed source. */
  async send(topic: string, type: string, data: unknown): Promise<string> {
    const ts = nowMicros();
    const envelope: RawEnvelope = { v: ENVELOPE_VERSION, type, id: `foreign-${this.src}-${++this.seq}`, src: this.src, seq: this.seq, ts, origin_ts: ts, data };
    await this.socket.send([topic, this.codec.encode(envelope)]);
    return envelope.id;
  }

  /** A frame of `bytes` bytes on `topic` (garbage: it must be refused by size before anything reads it). */
  async sendOversize(topic: string, bytes: number): Promise<void> {
    await this.socket.send([topic, Buffer.alloc(bytes, 0x61)]);
  }

  async close(): Promise<void> {
    if (this.beat !== null) clearInterval(this.beat);
    await this.redis.del(registryKey(this.service, this.instance)).catch(() => 0);
    this.socket.close();
  }
}

// The Go and Java peer services (scripts/peers/, built into .cache/peers/ by scripts/peers/build.sh,
// which `npm test` runs before the integration tests): run one, collect the JSON lines it prints.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_BROKERS } from './env';

const built = join(__dirname, '..', '..', '.cache', 'peers');

/** Which peer: franz-go + kotel, or kafka-clients + OpenTelemetry's KafkaTelemetry. */
export type PeerLanguage = 'go' | 'java';

/** What a peer printed for one message it wrote (`produced`) or read (`consumed`). */
export interface PeerEvent {
  event: 'produced' | 'consumed';
  service: string;
  topic: string;
  partition: number;
  offset: number;
  /** Headers by name (the last value when a name repeats). */
  headers: Record<string, string | null>;
  /** Header names in wire order, repeats included. */
  headerKeys: string[];
  /** For `consumed`: the peer's process span, and the context it saw. */
  traceId?: string;
  spanId?: string;
  tracestate?: string;
  baggage?: Record<string, string>;
  value?: string;
  /** For `consumed` by the Go peer: the codec of the batch the message came in (`none`, `snappy`, ...). */
  compression?: string;
  /** For `consumed` with `--forward-to`: what the peer sent on. */
  forwarded?: { topic: string; offset: number; headers: Record<string, string | null> };
}

function command(language: PeerLanguage): [string, string[]] {
  const marker = language === 'go' ? join(built, 'go', 'peer-go') : join(built, 'java', 'classes', 'PeerJava.class');
  if (!existsSync(marker)) throw new Error(`the ${language} peer is not built (${marker}); run: bash scripts/peers/build.sh`);
  if (language === 'go') return [marker, []];
  const classPath = `${join(built, 'java', 'classes')}:${join(built, 'java', 'libs', '*')}`;
  return ['java', ['-Xss512k', '-XX:TieredStopAtLevel=1', '-cp', classPath, 'PeerJava']];
}

/**
 * Runs a peer to completion (`produce ...` or `consume ... --count n`) and resolves with the events
 * it printed; rejects with its stderr when it exits non-zero. Consumers read from the start of the
 * topic, so a consumer may be started before or after the producer.
 */
export function runPeer(language: PeerLanguage, args: string[], timeoutMs = 60000): Promise<PeerEvent[]> {
  const [cmd, prefix] = command(language);
  const child = spawn(cmd, [...prefix, ...args, '--timeout-ms', String(timeoutMs)], {
    env: { ...process.env, KAFKA_BROKERS: KAFKA_BROKERS.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${language} peer ${args.join(' ')} exited with ${code}: ${err.trim()}`));
      resolve(out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as PeerEvent));
    });
  });
}

/** The only event a one-message peer run printed. */
export function only(events: PeerEvent[]): PeerEvent {
  if (events.length !== 1) throw new Error(`expected one event, got ${events.length}: ${JSON.stringify(events)}`);
  return events[0] as PeerEvent;
}

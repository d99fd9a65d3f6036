import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'scripts', 'infra.sh');

/** Fault injection needs processes this project started: not possible against external services. */
export const canInjectFaults = !process.env.KAFKA_BROKERS && !process.env.JAEGER_QUERY_URL;

/** Stops or starts one of the local services (blocks until stopped / ready). */
export function infra(action: 'stop' | 'start', service: 'kafka' | 'jaeger'): void {
  const res = spawnSync('bash', [script, action, service], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`infra.sh ${action} ${service} failed: ${res.stderr}`);
}

/**
 * Freezes (SIGSTOP) or thaws (SIGCONT) a local service: it keeps its sockets, so clients connect and
 * then wait for an answer that does not come — the "collector hangs" fault, unlike a refused connection.
 */
export function freeze(service: 'kafka' | 'jaeger', frozen: boolean): void {
  const pid = Number(readFileSync(join(__dirname, '..', '..', '.cache', 'run', `${service}.pid`), 'utf8').trim());
  process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
}

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const script = join(__dirname, '..', '..', 'scripts', 'infra.sh');

/** Fault injection needs processes this project started: not possible against external services. */
export const canInjectFaults = !process.env.KAFKA_BROKERS && !process.env.JAEGER_QUERY_URL;

/** Stops or starts one of the local services (blocks until stopped / ready). */
export function infra(action: 'stop' | 'start', service: 'kafka' | 'jaeger'): void {
  const res = spawnSync('bash', [script, action, service], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`infra.sh ${action} ${service} failed: ${res.stderr}`);
}

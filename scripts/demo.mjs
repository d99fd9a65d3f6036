// `npm run demo`: make sure the real Kafka and Jaeger are up (or use KAFKA_BROKERS / JAEGER_QUERY_URL),
// then run the order pipeline example and print its traces. Leaves Kafka and Jaeger running so the
// traces stay findable; `npm run infra:down` stops them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (label, cmd, args) => {
  console.log(label);
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
};
step('checking Kafka and Jaeger (the first run builds them: several minutes; progress below)', 'bash', ['scripts/infra.sh', 'up']);
step('running examples/order-pipeline', process.execPath, ['--import', 'tsx', 'examples/order-pipeline/run.ts']);

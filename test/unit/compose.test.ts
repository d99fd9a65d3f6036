// jaeger-compose.yml cannot run here (no Docker engine): check what would break it for users.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  image: string;
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(join(__dirname, '..', '..', 'jaeger-compose.yml'), 'utf8')) as { services: Record<string, Service> };

describe('jaeger-compose.yml', () => {
  const kafka = compose.services.kafka as Service;
  const jaeger = compose.services.jaeger as Service;
  const env = (k: string) => String(kafka.environment?.[k] ?? '');

  it('pins the official images', () => {
    assert.equal(kafka.image, 'apache/kafka:4.1.1');
    assert.match(jaeger.image, /^jaegertracing\/jaeger:2\.\d+\.\d+$/);
  });

  it('gives Kafka a consistent single-node KRaft configuration', () => {
    assert.match(env('CLUSTER_ID'), /^[A-Za-z0-9_-]{22}$/, 'a 22-character base64url cluster id');
    assert.equal(env('KAFKA_PROCESS_ROLES'), 'broker,controller');
    const [voterId, voterAddress] = env('KAFKA_CONTROLLER_QUORUM_VOTERS').split('@');
    assert.equal(voterId, env('KAFKA_NODE_ID'), 'the quorum voter is this node');
    const listeners = new Map(env('KAFKA_LISTENERS').split(',').map((l) => [l.split('://')[0], l.split('://')[1]]));
    const controller = env('KAFKA_CONTROLLER_LISTENER_NAMES');
    assert.equal(listeners.get(controller), voterAddress, 'the controller listener is the voter address');
    const protocols = new Map(env('KAFKA_LISTENER_SECURITY_PROTOCOL_MAP').split(',').map((p) => p.split(':') as [string, string]));
    for (const name of listeners.keys()) assert.ok(protocols.has(name as string), `${name} has a security protocol`);
    const advertised = env('KAFKA_ADVERTISED_LISTENERS').split(',');
    assert.ok(advertised.includes('PLAINTEXT_HOST://127.0.0.1:9092'), 'host clients are told 127.0.0.1:9092');
    assert.ok(!advertised.some((a) => a.startsWith(`${controller}://`)), 'the controller listener is not advertised');
    assert.ok(listeners.has(env('KAFKA_INTER_BROKER_LISTENER_NAME')));
    for (const k of ['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR', 'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR', 'KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR']) {
      assert.equal(env(k), '1', `${k}=1 on a single node`);
    }
  });

  it('publishes every port the project uses, on loopback', () => {
    assert.deepEqual(kafka.ports, ['127.0.0.1:9092:9092']);
    const published = (jaeger.ports ?? []).map((p) => p.split(':')[1]);
    for (const port of ['16686', '4317', '4318', '14250', '14268', '9411', '13133', '6831', '6832']) {
      assert.ok(published.includes(port), `jaeger publishes ${port}`);
    }
    assert.ok((jaeger.ports ?? []).every((p) => p.startsWith('127.0.0.1:')));
    assert.ok((jaeger.ports ?? []).some((p) => p.endsWith('6831/udp')));
  });

  it('has health checks so `up --wait` waits for readiness', () => {
    assert.match(kafka.healthcheck?.test.join(' ') ?? '', /kafka-broker-api-versions\.sh --bootstrap-server localhost:9092/);
    assert.match(jaeger.healthcheck?.test.join(' ') ?? '', /13133\/status/);
  });
});

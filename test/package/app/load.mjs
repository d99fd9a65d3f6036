// Loads every entry with import (named imports, as an ES module application writes them) and runs
// the scenario; also the entry point of the esbuild bundle.
import { instrumentConsumer, instrumentProducer } from 'kafkajs-tracing';
import { startTracing } from 'kafkajs-tracing/setup';
import { traceUrl } from 'kafkajs-tracing/harness';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import scenario from './scenario.cjs';

const how = process.env.LOADED_AS ?? 'esm';
// No top-level await: the bundle is CommonJS, as most bundled Node services are.
scenario
  .traceOneMessage(how, {
    middleware: { instrumentProducer, instrumentConsumer },
    setup: { startTracing },
    harness: { traceUrl },
    sdk: { InMemorySpanExporter },
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });

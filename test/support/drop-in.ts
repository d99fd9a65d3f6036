// What an application's telemetry file does, imported first by the drop-in integration tests so that it runs before
// anything loads kafkajs: the loader hook for `import` (Nest loads kafkajs with `import('kafkajs')`) and
// the drop-in instrumentation. The tracer provider is registered later by the test; the wrappers follow
// the global provider, as with the explicit API.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { KafkaTracingInstrumentation } from '../../src/instrumentation/index';

register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename));
registerInstrumentations({ instrumentations: [new KafkaTracingInstrumentation()] });

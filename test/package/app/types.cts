// Type-checked (not run) by the package checks: what a CommonJS module written in TypeScript sees.
import { instrumentConsumer, type ProducerInstrumentationOptions } from 'kafkajs-tracing';
import { startTracing, type Tracing } from 'kafkajs-tracing/setup';
import { renderTrace, type TraceView } from 'kafkajs-tracing/harness';

const tracing: Tracing = startTracing({ serviceName: 'types', register: false });
const options: ProducerInstrumentationOptions = { tracerProvider: tracing.provider, captureMessageKey: false };
export const uses = [instrumentConsumer, options, renderTrace as (trace: TraceView) => string];

// Type-checked (not run) by the package checks: what an ES module written in TypeScript sees.
import { instrumentProducer, type ConsumerInstrumentationOptions } from 'kafkajs-tracing';
import { startTracing, type Tracing } from 'kafkajs-tracing/setup';
import { expectChain, type TraceView } from 'kafkajs-tracing/harness';

const tracing: Tracing = startTracing({ serviceName: 'types', register: false });
const options: ConsumerInstrumentationOptions = { tracerProvider: tracing.provider, legacyFormats: ['b3'] };
export const uses = [instrumentProducer, options, expectChain as (trace: TraceView, hops: string[]) => void];

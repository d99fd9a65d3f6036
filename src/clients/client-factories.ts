import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from '../options';
import { instrumentConsumer } from '../consumer/instrument-consumer';
import { instrumentProducer } from '../producer/instrument-producer';
import { adapterForConfig } from './detect-client';
import type { TraceableConsumer, TraceableProducer } from './traceable-clients';

// What `traceKafka` and the drop-in instrumentation both do with a client a `producer(config)` /
// `consumer(config)` call just made: one place, so the two paths cannot drift apart.

/** Options taken from a config, without keys that are undefined (so they cannot mask anything). */
function fromConfig(entries: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/** Instruments a producer made from `config`, its client id read from that config unless `options` gives one. @internal */
export function instrumentMadeProducer<P extends TraceableProducer>(producer: P, config: unknown, options: ProducerInstrumentationOptions = {}): P {
  const adapter = adapterForConfig(config);
  return instrumentProducer(producer, { ...fromConfig({ clientId: adapter.clientId(config) }), ...options });
}

/** Instruments a consumer made from `config`, its group and client id read from that config unless `options` gives them. @internal */
export function instrumentMadeConsumer<C extends TraceableConsumer>(consumer: C, config: unknown, options: ConsumerInstrumentationOptions = {}): C {
  const adapter = adapterForConfig(config);
  const found = fromConfig({ groupId: adapter.groupId(config), clientId: adapter.clientId(config) });
  return instrumentConsumer(consumer, { ...found, ...options });
}

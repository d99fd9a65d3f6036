import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from '../options';
import { instrumentMadeConsumer, instrumentMadeProducer } from '../clients/client-factories';
import type { TraceableConsumer, TraceableProducer } from '../clients/traceable-clients';
import { reportSwallowed } from '../diag/report-once';
import { isShimWrapped, wraps } from './shim-markers';

/** What the prototype wrappers ask the instrumentation each time a client is made. @internal */
export interface PatchControl {
  /** Whether new clients are traced (false after `disable()`: the wrappers then pass straight through). */
  enabled(): boolean;
  /** The wrappers' options for a new producer / consumer, as configured now. */
  producerOptions(): ProducerInstrumentationOptions;
  consumerOptions(): ConsumerInstrumentationOptions;
  /** Another instrumentation wraps the same factory: `ours` says which one traces the client. Said once. */
  foreign(ours: boolean): void;
}

type Factory = (this: unknown, ...args: unknown[]) => unknown;
interface KafkaPrototype {
  producer: Factory;
  consumer: Factory;
}

/** The methods another instrumentation wraps on a client it made (instrumentation-kafkajs: these). */
const CLIENT_METHODS = { producer: ['send', 'sendBatch', 'transaction'], consumer: ['run'] } as const;

// Our wrapper per prototype and method, with what it wraps, so that enabling twice (or after another
// instrumentation wrapped over ours) never stacks a second one of ours. Our wrappers carry no shimmer
// markers on purpose: instrumentation-kafkajs unwraps any marked `producer`/`consumer` it finds before
// wrapping (taking it for its own), which would silently remove ours.
interface Installed {
  wrapper: Factory;
  original: Factory;
}
const installed = new WeakMap<object, Map<'producer' | 'consumer', Installed>>();

/**
 * Removes another instrumentation's wrappers from a client just made beneath ours (it patched the
 * factory before us): the client is then traced by the explicit wrappers alone. Returns whether any was found.
 */
function stripForeign(client: unknown, methods: readonly string[]): boolean {
  if (client === null || typeof client !== 'object') return false;
  const c = client as Record<string, unknown>;
  let found = false;
  for (const m of methods) {
    const fn = c[m];
    if (isShimWrapped(fn)) {
      c[m] = fn.__original;
      found = true;
    }
  }
  return found;
}

function wrapFactory(proto: KafkaPrototype, method: 'producer' | 'consumer', control: PatchControl): Factory {
  const original = proto[method];
  const wrapper: Factory = function (this: unknown, ...args: unknown[]) {
    const made = original.apply(this, args);
    if (!control.enabled()) return made;
    // Another instrumentation patched the factory after us (it wraps ours): it wraps the client we
    // return, so tracing it here too would trace every message twice. The one registered last wins.
    if (proto[method] !== wrapper && wraps(proto[method], wrapper)) {
      control.foreign(false);
      return made;
    }
    // One patched it before us (ours wraps it): its wrappers come off this client, ours go on.
    if (isShimWrapped(original) && stripForeign(made, CLIENT_METHODS[method])) control.foreign(true);
    const config = args[0];
    try {
      return method === 'producer'
        ? instrumentMadeProducer(made as TraceableProducer, config, control.producerOptions())
        : instrumentMadeConsumer(made as TraceableConsumer, config, control.consumerOptions());
    } catch (err) {
      // A client of a shape the wrappers refuse: the application gets it untraced, never an error.
      reportSwallowed('span-setup', err);
      return made;
    }
  };
  return wrapper;
}

/**
 * Patches a Kafka class's `producer()` and `consumer()` (kafkajs's `Kafka`, Confluent's `KafkaJS.Kafka`)
 * so every client they make goes through the same wrappers as `traceKafka`. Idempotent per prototype.
 * @internal
 */
export function patchKafkaClass(kafkaClass: unknown, control: PatchControl): void {
  const proto = (kafkaClass as { prototype?: unknown } | undefined)?.prototype as KafkaPrototype | undefined;
  if (!proto || typeof proto.producer !== 'function' || typeof proto.consumer !== 'function') return;
  let ours = installed.get(proto);
  if (!ours) installed.set(proto, (ours = new Map()));
  for (const method of ['producer', 'consumer'] as const) {
    const existing = ours.get(method);
    if (existing && wraps(proto[method], existing.wrapper)) continue; // still in place (perhaps under another's wrapper)
    const original = proto[method];
    const wrapper = wrapFactory(proto, method, control);
    Object.defineProperty(proto, method, { value: wrapper, configurable: true, enumerable: false, writable: true });
    ours.set(method, { wrapper, original });
  }
}

/**
 * Takes our wrappers off a Kafka class where they are on top. Where another instrumentation wrapped
 * over ours, ours stay (removing them would cut its chain) and pass through while disabled.
 * @internal
 */
export function unpatchKafkaClass(kafkaClass: unknown): void {
  const proto = (kafkaClass as { prototype?: unknown } | undefined)?.prototype as KafkaPrototype | undefined;
  const ours = proto ? installed.get(proto) : undefined;
  if (!proto || !ours) return;
  for (const [method, { wrapper, original }] of ours) {
    if (proto[method] !== wrapper) continue;
    Object.defineProperty(proto, method, { value: original, configurable: true, enumerable: false, writable: true });
    ours.delete(method);
  }
}

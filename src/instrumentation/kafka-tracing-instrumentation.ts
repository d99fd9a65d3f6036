import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { TraceKafkaOptions } from '../trace-kafka';
import type { ConsumerInstrumentationOptions, ProducerInstrumentationOptions } from '../options';
import { SCOPE_NAME, VERSION } from '../version';
import { CLIENT_GATE, type Gated } from '../client-gate';
import { patchKafkaClass, unpatchKafkaClass, type PatchControl } from './patch-kafka-class';

/**
 * Configuration of {@link KafkaTracingInstrumentation}: `enabled` as every OpenTelemetry
 * instrumentation has, and the same `producer` / `consumer` options as `traceKafka`, applied to every
 * client the patched `Kafka` classes make.
 */
export interface KafkaTracingInstrumentationConfig extends InstrumentationConfig, TraceKafkaOptions {}

/** The Kafka class of a loaded module, whether it came through `require` (exports) or `import` (a namespace with `default`). */
function exported(moduleExports: unknown, path: readonly string[]): unknown {
  const walk = (root: unknown): unknown => path.reduce<unknown>((o, key) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined), root);
  return walk(moduleExports) ?? walk((moduleExports as { default?: unknown } | undefined)?.default);
}

// The clients and the exports that hold their Kafka class: kafkajs 2.x (`Kafka`), Confluent's
// KafkaJS-compatible API (`KafkaJS.Kafka`). Ranges are the package's peer ranges.
const MODULES = [
  { name: 'kafkajs', versions: ['>=2.0.0 <3'], path: ['Kafka'] },
  { name: '@confluentinc/kafka-javascript', versions: ['>=1.0.0 <2'], path: ['KafkaJS', 'Kafka'] },
] as const;

/**
 * The drop-in form of this package: an OpenTelemetry `Instrumentation` that patches kafkajs's `Kafka`
 * and Confluent's `KafkaJS.Kafka` so every producer and consumer created after it is enabled goes
 * through the same wrappers as `traceKafka` (same spans, attributes, options and metrics), with
 * no change to the code that creates the clients: frameworks such as NestJS's Kafka transport included.
 *
 * Register it like any instrumentation, before the client library is loaded: CommonJS is patched through
 * require hooks; ES modules need the loader hook (`module.register('@opentelemetry/instrumentation/hook.mjs', import.meta.url)`
 * in a file given to `node --import`). `disable()` stops it: clients made afterwards are left alone, and
 * those it instrumented pass straight through until it is enabled again. A client also wrapped explicitly
 * is traced once.
 *
 * Beside `@opentelemetry/instrumentation-kafkajs` (which `@opentelemetry/auto-instrumentations-node`
 * enables by default) a kafkajs client is traced by one of the two, the one registered last, and a
 * warning says so once through `diag`; turn the other off to choose.
 *
 * @example
 * import { registerInstrumentations } from '@opentelemetry/instrumentation';
 * import { KafkaTracingInstrumentation } from 'kafkajs-tracing/instrumentation';
 * registerInstrumentations({ instrumentations: [new KafkaTracingInstrumentation({ consumer: { trustUpstream: false } })] });
 */
export class KafkaTracingInstrumentation extends InstrumentationBase<KafkaTracingInstrumentationConfig> {
  // Set only when registerInstrumentations / NodeSDK pass providers explicitly; otherwise the
  // wrappers use the global ones, as the explicit wrappers do.
  private tracerProviderGiven: TracerProvider | undefined;
  private meterProviderGiven: MeterProvider | undefined;
  private foreignSaid: boolean | undefined;

  /** Creates the instrumentation; it enables itself unless `config.enabled` is false, as OpenTelemetry's do. */
  constructor(config: KafkaTracingInstrumentationConfig = {}) {
    super(SCOPE_NAME, VERSION, config);
  }

  /** @inheritDoc */
  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.tracerProviderGiven = tracerProvider;
  }

  /** @inheritDoc */
  override setMeterProvider(meterProvider: MeterProvider): void {
    super.setMeterProvider(meterProvider);
    this.meterProviderGiven = meterProvider;
  }

  /** The module definitions patched on require / import. @internal */
  protected init(): InstrumentationNodeModuleDefinition[] {
    return MODULES.map(
      (m) =>
        new InstrumentationNodeModuleDefinition(
          m.name,
          [...m.versions],
          (moduleExports: unknown) => {
            patchKafkaClass(exported(moduleExports, m.path), this.control());
            return moduleExports;
          },
          (moduleExports: unknown) => unpatchKafkaClass(exported(moduleExports, m.path)),
        ),
    );
  }

  /** The providers given through registerInstrumentations, and the switch that disable() turns off for every client made. */
  private providers(): { tracerProvider?: TracerProvider; meterProvider?: MeterProvider } & Gated {
    const out: { tracerProvider?: TracerProvider; meterProvider?: MeterProvider } & Gated = { [CLIENT_GATE]: () => this.isEnabled() };
    if (this.tracerProviderGiven) out.tracerProvider = this.tracerProviderGiven;
    if (this.meterProviderGiven) out.meterProvider = this.meterProviderGiven;
    return out;
  }

  private control(): PatchControl {
    return {
      enabled: () => this.isEnabled(),
      producerOptions: (): ProducerInstrumentationOptions => ({ ...this.providers(), ...this.getConfig().producer }),
      consumerOptions: (): ConsumerInstrumentationOptions => ({ ...this.providers(), ...this.getConfig().consumer }),
      foreign: (ours) => {
        if (this.foreignSaid === ours) return;
        this.foreignSaid = ours;
        this._diag.warn(
          ours
            ? 'kafkajs is also patched by another instrumentation (@opentelemetry/instrumentation-kafkajs?), registered before this one: its wrappers are taken off the clients this one traces. Disable it to silence this.'
            : 'kafkajs is also patched by another instrumentation (@opentelemetry/instrumentation-kafkajs?), registered after this one: it traces kafkajs clients and this one steps aside. Disable it, or register it first, to trace them here.',
        );
      },
    };
  }
}

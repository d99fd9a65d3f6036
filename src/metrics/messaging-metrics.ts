import { metrics, type Attributes, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { ATTR, DEPRECATED_END_TO_END_METRIC, MESSAGING_SYSTEM_KAFKA, OWN, OWN_METRIC } from '../semconv';
import { isNoopMeter } from '../global-telemetry';
import type { PipelineOrigin } from '../propagation/pipeline-origin';
import { QUEUEING_BUCKETS, checkLatency, type Rejection } from './latency-guard';
import { SCOPE_NAME, VERSION } from '../version';
import { BoundedValues } from './bounded-values';

// Without an operator's list, one budget of entry values for the whole process, however many clients.
const sharedEntries = new BoundedValues('pipeline entry', 'pipelineEntries');

/** Bucket boundaries (seconds) the messaging conventions recommend for duration histograms. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The messaging metrics of the semantic conventions, plus the produce→consume latency histogram.
 * Through `@opentelemetry/api`: with no MeterProvider registered the instruments are no-ops.
 * @internal
 */
export class MessagingMetrics {
  private sent!: Counter;
  private consumed!: Counter;
  private operationDuration!: Histogram;
  private processDuration!: Histogram;
  private endToEnd!: Histogram;
  private queueTime!: Histogram;
  private pipelineLatency!: Histogram;
  private rejected!: Counter;
  /** False while the meter is the API's no-op one: then no attribute object is built per message. */
  private enabled = false;
  /** The global provider the instruments came from; undefined when one was passed explicitly. */
  private fromGlobal: MeterProvider | undefined;

  /** The entry topics pipeline latency is recorded under: they arrive in messages, so the set is bounded. */
  private readonly entries: BoundedValues;

  constructor(
    private readonly provider?: MeterProvider,
    pipelineEntries?: readonly string[],
  ) {
    this.entries = pipelineEntries ? new BoundedValues('pipeline entry', 'pipelineEntries', pipelineEntries) : sharedEntries;
    this.createInstruments(provider ?? (this.fromGlobal = metrics.getMeterProvider()));
  }

  /**
   * The API keeps no proxy for meter providers: a provider registered after the middleware was set
   * up (startTracing called late) would otherwise never see a data point. One identity check per call.
   */
  private current(): this {
    if (this.provider === undefined) {
      const global = metrics.getMeterProvider();
      if (global !== this.fromGlobal) this.createInstruments((this.fromGlobal = global));
    }
    return this;
  }

  /** Whether data points go anywhere; callers skip measuring when they do not. */
  isEnabled(): boolean {
    return this.current().enabled;
  }

  private createInstruments(provider: MeterProvider): void {
    const meter = provider.getMeter(SCOPE_NAME, VERSION);
    this.enabled = !isNoopMeter(meter);
    const seconds = { unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
    this.sent = meter.createCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Messages a producer attempted to send.' });
    this.consumed = meter.createCounter('messaging.client.consumed.messages', { unit: '{message}', description: 'Messages delivered to a consumer handler.' });
    this.operationDuration = meter.createHistogram('messaging.client.operation.duration', { ...seconds, description: 'Duration of send operations.' });
    this.processDuration = meter.createHistogram('messaging.process.duration', { ...seconds, description: 'Duration of processing a message (or batch).' });
    this.endToEnd = meter.createHistogram(DEPRECATED_END_TO_END_METRIC, {
      ...seconds,
      description: `Deprecated: use ${OWN_METRIC.QUEUE_TIME}. Time from the message timestamp to the start of its processing.`,
    });
    const queueing = { unit: 's', advice: { explicitBucketBoundaries: QUEUEING_BUCKETS } };
    this.queueTime = meter.createHistogram(OWN_METRIC.QUEUE_TIME, {
      ...queueing,
      description: 'Time a message waited in its topic: from its timestamp to the start of its processing.',
    });
    this.pipelineLatency = meter.createHistogram(OWN_METRIC.PIPELINE_LATENCY, {
      ...queueing,
      description: "Time since the pipeline's origin (its first produce) at the start of this hop's processing.",
    });
    this.rejected = meter.createCounter(OWN_METRIC.REJECTED, {
      unit: '{measurement}',
      description: 'Latencies not recorded: negative (clock skew between hosts), absurdly old, or a malformed carried origin.',
    });
  }

  /** One send call of `count` messages to `topic` (undefined when it spans topics) took `seconds`. */
  recordSend(topic: string | undefined, count: number, seconds: number, errorType: string | undefined): void {
    if (!this.current().enabled) return;
    const attributes: Attributes = { [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA, [ATTR.OPERATION_NAME]: 'send' };
    if (topic !== undefined) attributes[ATTR.DESTINATION_NAME] = topic;
    if (errorType !== undefined) attributes[ATTR.ERROR_TYPE] = errorType;
    this.sent.add(count, attributes);
    this.operationDuration.record(seconds, attributes);
  }

  /** `count` messages of `topic` were processed in `seconds`; `lagMs` is now minus the message timestamp. */
  recordProcess(topic: string, groupId: string | undefined, count: number, seconds: number, errorType: string | undefined): void {
    if (!this.current().enabled) return;
    const attributes: Attributes = {
      [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR.OPERATION_NAME]: 'process',
      [ATTR.DESTINATION_NAME]: topic,
    };
    if (groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = groupId;
    if (errorType !== undefined) attributes[ATTR.ERROR_TYPE] = errorType;
    this.consumed.add(count, attributes);
    this.processDuration.record(seconds, attributes);
  }

  /** Queue time of one message, from its timestamp (ms since epoch) to `nowMs`; implausible values are counted, not recorded. */
  recordLatency(topic: string, groupId: string | undefined, timestampMs: number, nowMs: number): void {
    if (!this.current().enabled) return;
    if (!Number.isFinite(timestampMs) || timestampMs <= 0) return; // no timestamp: nothing to measure
    const attributes: Attributes = { [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA, [ATTR.DESTINATION_NAME]: topic };
    if (groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = groupId;
    const ms = checkLatency(timestampMs, nowMs);
    if (typeof ms !== 'number') return this.reject('queue_time', ms, attributes);
    this.queueTime.record(ms / 1000, attributes);
    this.endToEnd.record(ms / 1000, attributes);
  }

  /**
   * Time since the pipeline's origin at the start of one hop's processing, per entry point, topic and
   * group; `latency` is the checked value in ms or why it was rejected.
   */
  recordPipeline(topic: string, groupId: string | undefined, origin: PipelineOrigin | undefined, latency: number | Rejection): void {
    if (!this.current().enabled) return;
    const attributes: Attributes = { [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA, [ATTR.DESTINATION_NAME]: topic };
    if (groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = groupId;
    if (typeof latency !== 'number' || origin === undefined) return this.reject('pipeline_latency', typeof latency === 'number' ? 'malformed' : latency, attributes);
    attributes[OWN.PIPELINE_ENTRY] = this.entries.map(origin.entry);
    this.pipelineLatency.record(latency / 1000, attributes);
  }

  private reject(measurement: 'queue_time' | 'pipeline_latency', reason: Rejection, attributes: Attributes): void {
    attributes[OWN.MEASUREMENT] = measurement;
    attributes[OWN.REJECTION] = reason;
    this.rejected.add(1, attributes);
  }
}

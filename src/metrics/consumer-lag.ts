import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type MeterProvider,
  type ObservableGauge,
} from '@opentelemetry/api';
import { isNoopMeter } from '../global-telemetry';
import { ATTR, MESSAGING_SYSTEM_KAFKA, OWN_METRIC } from '../semconv';
import { SCOPE_NAME, VERSION } from '../version';


/**
 * Reads a partition's high watermark from the client (as of its latest fetch, without asking the broker);
 * throws when the client cannot tell (disconnected, partition no longer its own). @internal
 */
export type WatermarkReader = (topic: string, partition: number) => number;

/** What is known of one partition a consumer reads. Offsets as numbers: exact below 2^53. */
interface PartitionLag {
  attributes: Attributes;
  /** The partition's high watermark (offset of the next message to be written), as of the latest fetch. */
  highWatermark: number;
  /** Offset of the next message the consumer has not finished with. */
  next: number;
  /** Timestamp (ms) of that message, when it has been fetched. */
  nextTimestamp: number | undefined;
  /** Timestamp of the last message the consumer started on: the next one cannot be older. */
  lastTimestamp: number | undefined;
  /**
   * No longer this consumer's (rebalanced away, or the consumer stopped): reported as 0 at the next
   * collection, then forgotten, so a stopped consumer leaves no series behind.
   */
  released: boolean;
}

/**
 * Consumer lag of one consumer, per topic and partition, in messages and in seconds; read when the
 * metrics are collected (observable gauges), so an idle consumer costs nothing between scrapes.
 *
 * Client-neutral: a client adapter feeds it what the client reports (kafkajs: its batch
 * instrumentation events plus the messages handed to the handler; another client: its batch's
 * high watermark and offsets). Definitions, as the README gives them:
 * - lag in messages = high watermark − offset of the next message the group has not finished with,
 *   as of the latest fetch (the broker's watermark moves on between fetches);
 * - lag in seconds = now − timestamp of that next message; 0 when the consumer is caught up (lag 0),
 *   however long the partition has been idle. While the next message has not been fetched yet (between
 *   two batches) its timestamp is unknown and the last started message's timestamp stands in: an upper
 *   bound, off by at most the gap between two messages.
 * @internal
 */
export class LagTracker {
  private readonly partitions = new Map<string, PartitionLag>();
  private registry: GaugeRegistry | undefined;
  private enabled = false;
  /** In its registry's set, i.e. reported at collection; left once stopped and every partition forgotten. */
  private listed = false;

  /**
   * @param watermarks For a client without batch events (Confluent's): read at each collection, for the
   *   partitions the handlers have seen; the handler wrappers then also say when a message is done.
   */
  constructor(
    private readonly groupId: string | undefined,
    private readonly provider?: MeterProvider,
    private readonly watermarks?: WatermarkReader,
  ) {}

  /** Whether only the handler wrappers tell this tracker that messages are done (no batch events). */
  get handlerFed(): boolean {
    return this.watermarks !== undefined;
  }

  /**
   * Refreshes a partition's watermark from the client. A client that cannot tell (it disconnected, or
   * the partition is no longer assigned to it) releases the partition: the normal end of a consumer,
   * not a failure to report.
   */
  private refresh(s: PartitionLag, read: WatermarkReader): void {
    let highWatermark: number;
    try {
      highWatermark = read(s.attributes[ATTR.DESTINATION_NAME] as string, Number(s.attributes[ATTR.DESTINATION_PARTITION_ID]));
    } catch {
      this.release(s);
      return;
    }
    // librdkafka answers -1001 (OFFSET_INVALID) before its first fetch of the partition.
    if (Number.isFinite(highWatermark) && highWatermark >= 0) s.highWatermark = Math.max(s.highWatermark, highWatermark);
  }

  /** Whether anything collects the gauges; follows a meter provider registered later. One identity check. */
  private sync(): boolean {
    const provider = this.provider ?? metrics.getMeterProvider();
    if (this.registry?.provider !== provider) {
      this.unlist();
      this.registry = registryFor(provider);
      this.enabled = this.registry.enabled;
    }
    if (this.enabled && !this.listed && this.registry) {
      this.registry.trackers.add(this);
      this.listed = true;
    }
    return this.enabled;
  }

  private unlist(): void {
    this.registry?.trackers.delete(this);
    this.listed = false;
  }

  private state(topic: string, partition: number): PartitionLag {
    const key = `${topic}\u0000${partition}`;
    let s = this.partitions.get(key);
    if (!s) {
      const attributes: Attributes = {
        [ATTR.MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
        [ATTR.DESTINATION_NAME]: topic,
        [ATTR.DESTINATION_PARTITION_ID]: String(partition),
      };
      if (this.groupId !== undefined) attributes[ATTR.CONSUMER_GROUP_NAME] = this.groupId;
      s = { attributes, highWatermark: -1, next: -1, nextTimestamp: undefined, lastTimestamp: undefined, released: false };
      this.partitions.set(key, s);
    }
    s.released = false;
    return s;
  }

  /** A fetched batch is about to be processed: the watermark as of the fetch, and its first offset. */
  batchStarted(topic: string, partition: number, highWatermark: number, firstOffset: number): void {
    if (!this.sync() || !Number.isFinite(highWatermark)) return;
    const s = this.state(topic, partition);
    s.highWatermark = Math.max(s.highWatermark, highWatermark);
    if (Number.isFinite(firstOffset) && firstOffset !== s.next) {
      s.next = firstOffset;
      s.nextTimestamp = undefined;
    }
  }

  /** The consumer started on a message: it is the next one not finished with. */
  processing(topic: string, partition: number, offset: number, timestampMs: number): void {
    if (!this.sync() || !Number.isFinite(offset)) return;
    const s = this.state(topic, partition);
    s.next = offset;
    s.nextTimestamp = s.lastTimestamp = Number.isFinite(timestampMs) && timestampMs > 0 ? timestampMs : undefined;
  }

  /** Everything up to `lastOffset` is done (a batch ended, or a batch consumer resolved offsets). */
  consumedUpTo(topic: string, partition: number, lastOffset: number, highWatermark?: number): void {
    if (!this.sync() || !Number.isFinite(lastOffset)) return;
    const s = this.state(topic, partition);
    if (highWatermark !== undefined && Number.isFinite(highWatermark)) s.highWatermark = Math.max(s.highWatermark, highWatermark);
    if (lastOffset + 1 !== s.next) {
      s.next = lastOffset + 1;
      s.nextTimestamp = undefined;
    }
  }

  /**
   * After a rebalance: partitions this consumer no longer owns are another member's now. The SDK keeps
   * reporting a series once seen (cumulative), so they are reported as 0 from this member rather than
   * with a frozen value: `max` or `sum` by group and partition then gives the owner's figure.
   */
  retain(assignment: Record<string, readonly number[]>): void {
    for (const s of this.partitions.values()) {
      const topic = s.attributes[ATTR.DESTINATION_NAME] as string;
      const partition = Number(s.attributes[ATTR.DESTINATION_PARTITION_ID]);
      if (!assignment[topic]?.includes(partition)) this.release(s);
    }
  }

  /** The consumer stopped: every partition is released until it consumes again. */
  clear(): void {
    for (const s of this.partitions.values()) this.release(s);
  }

  private release(s: PartitionLag): void {
    s.released = true;
    s.highWatermark = s.next = -1;
    s.nextTimestamp = s.lastTimestamp = undefined;
  }

  /**
   * Observes both gauges for every known partition at `nowMs`. A released partition is observed as 0
   * this once and then forgotten (the SDK exports only the series observed in a collection), and a
   * tracker left with no partition leaves the registry: consumers that come and go (3,000 created and
   * disconnected) leave neither series nor trackers behind. With two metric readers, the second
   * reader's collection no longer sees that last 0; the series simply ends there.
   */
  observe(result: BatchObservableResult, gauges: Gauges, nowMs: number): void {
    for (const [key, s] of this.partitions) {
      if (this.watermarks && !s.released) this.refresh(s, this.watermarks);
      if (s.released) {
        result.observe(gauges.messages, 0, s.attributes);
        result.observe(gauges.age, 0, s.attributes);
        this.partitions.delete(key);
        continue;
      }
      if (s.highWatermark < 0 || s.next < 0) continue;
      const lag = Math.max(0, s.highWatermark - s.next);
      result.observe(gauges.messages, lag, s.attributes);
      const since = s.nextTimestamp ?? s.lastTimestamp;
      if (lag === 0) result.observe(gauges.age, 0, s.attributes);
      // A timestamp ahead of this host's clock says the clocks disagree: no value rather than a wrong one.
      else if (since !== undefined && nowMs >= since) result.observe(gauges.age, (nowMs - since) / 1000, s.attributes);
    }
    if (this.partitions.size === 0) this.unlist();
  }
}

interface Gauges {
  messages: ObservableGauge;
  age: ObservableGauge;
}

/** The lag gauges of one meter provider and the trackers they report. */
interface GaugeRegistry {
  provider: MeterProvider;
  enabled: boolean;
  trackers: Set<LagTracker>;
}

// One pair of gauges per provider, whatever the number of consumers: one callback reports them all.
const registries = new WeakMap<MeterProvider, GaugeRegistry>();

function registryFor(provider: MeterProvider): GaugeRegistry {
  let r = registries.get(provider);
  if (r) return r;
  const meter = provider.getMeter(SCOPE_NAME, VERSION);
  r = { provider, enabled: !isNoopMeter(meter), trackers: new Set() };
  registries.set(provider, r);
  if (r.enabled) {
    const gauges: Gauges = {
      messages: meter.createObservableGauge(OWN_METRIC.LAG_MESSAGES, {
        unit: '{message}',
        description: "Messages between the consumer group's position and the partition's high watermark, as of the latest fetch.",
      }),
      age: meter.createObservableGauge(OWN_METRIC.LAG_AGE, {
        unit: 's',
        description: 'Age of the oldest message the consumer group has not finished with (now − its timestamp); 0 when caught up.',
      }),
    };
    const trackers = r.trackers;
    meter.addBatchObservableCallback((result) => {
      const now = Date.now();
      // A copy: observe() may take a tracker out of the set.
      for (const t of [...trackers]) t.observe(result, gauges, now);
    }, [gauges.messages, gauges.age]);
  }
  return r;
}

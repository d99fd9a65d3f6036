import type { Consumer, KafkaMessage } from 'kafkajs';
import { LagTracker, type WatermarkReader } from '../metrics/consumer-lag';
import type { ConsumerInstrumentationOptions } from '../options';
import { reportSwallowed } from '../diag/report-once';

/** The fields of kafkajs's batch instrumentation events that lag needs (offsets as strings). */
interface BatchEvent {
  payload?: { topic?: string; partition?: number; highWatermark?: string; firstOffset?: string; lastOffset?: string };
}
interface JoinEvent {
  payload?: { memberAssignment?: Record<string, number[]> };
}

/**
 * Feeds a consumer's lag from kafkajs's own instrumentation events, which it emits around every
 * batch for `eachMessage` and `eachBatch` consumers alike: START_BATCH_PROCESS (high watermark as of
 * the fetch, first offset) and END_BATCH_PROCESS (last offset). A rebalance (GROUP_JOIN) drops the
 * partitions this member lost; STOP, DISCONNECT and CRASH drop everything. A stand-in consumer without
 * events (`listen` false: its adapter says it has none) gets a tracker that only hears from the handler wrappers,
 * and from `watermarks` when its client can tell a partition's high watermark (Confluent's).
 * @internal
 */
export function watchLag(consumer: Consumer, options: ConsumerInstrumentationOptions, listen = true, watermarks?: WatermarkReader): LagTracker {
  const lag = new LagTracker(options.groupId, options.meterProvider, watermarks);
  // A client without kafkajs's instrumentation events (Confluent's: even reading `events` throws) is not asked.
  if (!listen) return lag;
  const events = (consumer as Partial<Consumer>).events;
  if (!events || typeof consumer.on !== 'function') return lag;
  try {
    consumer.on(events.START_BATCH_PROCESS, (e: BatchEvent) => {
      const p = e?.payload;
      if (p?.topic !== undefined && p.partition !== undefined) lag.batchStarted(p.topic, p.partition, Number(p.highWatermark), Number(p.firstOffset));
    });
    consumer.on(events.END_BATCH_PROCESS, (e: BatchEvent) => {
      const p = e?.payload;
      if (p?.topic !== undefined && p.partition !== undefined) lag.consumedUpTo(p.topic, p.partition, Number(p.lastOffset), Number(p.highWatermark));
    });
    consumer.on(events.GROUP_JOIN, (e: JoinEvent) => {
      const assignment = e?.payload?.memberAssignment;
      if (assignment) lag.retain(assignment);
    });
    for (const stop of [events.STOP, events.DISCONNECT, events.CRASH]) consumer.on(stop, () => lag.clear());
  } catch (err) {
    // A client whose `on` refuses these events still gets spans; lag then comes from the handlers alone.
    reportSwallowed('lag-events', err);
  }
  return lag;
}

/**
 * An `eachBatch` consumer is done up to `offset`: the next message not finished with is `next` (the
 * batch's following message), or, past the batch's end, not fetched yet.
 * @internal
 */
export function lagAfterResolve(lag: LagTracker, topic: string, partition: number, next: KafkaMessage | undefined, offset: number): void {
  if (next) lag.processing(topic, partition, Number(next.offset), Number(next.timestamp));
  else lag.consumedUpTo(topic, partition, offset);
}

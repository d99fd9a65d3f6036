import { diag, type DiagLogger } from '@opentelemetry/api';

const KINDS = ['hook', 'inject', 'extract', 'header-read', 'span-setup', 'pipeline-origin', 'lag-events', 'span-encode', 'record-error', 'held-compress', 'resource-detect'] as const;

/**
 * Kinds of failure the middleware swallows so the application keeps working: a user hook that
 * throws, a propagator whose inject or extract throws, a header carrier that cannot be read, the
 * bookkeeping of a span that fails after it started, the pipeline-origin entry that could not be
 * written, a client that refuses the lag listeners, a span that `startTracing`'s Jaeger path could not encode, an error that could not be recorded on its span, a held export body that could not be compressed.
 * @internal
 */
export type SwallowedKind = (typeof KINDS)[number];

let logger: DiagLogger | undefined;
const counts = new Map<SwallowedKind, number>();

/**
 * Reports a swallowed failure: the first of each kind goes to the diagnostic logger (component
 * `kafkajs-tracing`, as the OpenTelemetry instrumentations do), the rest are only counted, so a
 * failure repeated per message cannot flood the application's logs.
 * @internal
 */
export function reportSwallowed(kind: SwallowedKind, err: unknown): void {
  try {
    const n = (counts.get(kind) ?? 0) + 1;
    counts.set(kind, n);
    if (n > 1) return;
    // Created on first use: the application may set its diag logger after importing us.
    logger ??= diag.createComponentLogger({ namespace: 'kafkajs-tracing' });
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    logger.warn(`${kind} failed and was ignored (later ${kind} failures are only counted): ${reason}`);
  } catch {
    // Reporting must never become the failure.
  }
}

/** How many failures of each kind were swallowed so far. @internal */
export function swallowedCounts(): Readonly<Record<SwallowedKind, number>> {
  return Object.fromEntries(KINDS.map((kind) => [kind, counts.get(kind) ?? 0])) as Record<SwallowedKind, number>;
}

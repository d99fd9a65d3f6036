import { renderTrace } from './render-trace';
import type { SpanKindName, SpanView, TraceView } from './types';

/** One hop of an expected chain: a span name, or a name with the kind and service it must have. */
export type Hop = string | { name: string; kind?: SpanKindName; service?: string };

/** Options of {@link expectChain}. */
export interface ChainOptions {
  /**
   * Accept a link instead of a parent between a producer hop and the consumer hop after it (the
   * untrusted-upstream case). Links into the same trace are accepted even without this option when
   * the consumer span has no parent in the trace.
   */
  viaLinks?: boolean;
}

interface NormalHop {
  name: string;
  kind?: SpanKindName;
  service?: string;
}

const normal = (hop: Hop): NormalHop => (typeof hop === 'string' ? { name: hop } : hop);
const describeHop = (h: NormalHop): string => [h.name, h.kind && `(${h.kind})`, h.service && `@${h.service}`].filter(Boolean).join(' ');

function matches(span: SpanView, hop: NormalHop): boolean {
  return span.name === hop.name && (!hop.kind || span.kind === hop.kind) && (!hop.service || span.service === hop.service);
}

function isDescendant(span: SpanView, ancestor: SpanView, byId: Map<string, SpanView>): boolean {
  let cur = span.parentSpanId;
  for (let guard = 0; cur && guard < 10000; guard++) {
    if (cur === ancestor.spanId) return true;
    cur = byId.get(cur)?.parentSpanId;
  }
  return false;
}

/** Whether `next` follows `prev` in a produce→consume chain. */
function follows(next: SpanView, prev: SpanView, byId: Map<string, SpanView>, options: ChainOptions): boolean {
  const consumeHop = prev.kind === 'producer' && next.kind === 'consumer';
  if (consumeHop) {
    // The process span's parent must be exactly the span of the message it read.
    if (next.parentSpanId === prev.spanId) return true;
    const parentInTrace = next.parentSpanId !== undefined && byId.has(next.parentSpanId);
    return (options.viaLinks === true || !parentInTrace) && next.links.some((l) => l.spanId === prev.spanId);
  }
  // Anything else (a handler producing, a send's create spans) hangs somewhere under the previous hop.
  return isDescendant(next, prev, byId);
}

/**
 * Asserts that a trace holds the produce→consume chain `hops`, in order: each hop a span with that
 * name (and kind and service, when given); each consumer hop the child of the producer hop before it
 * (or linked to it, see {@link ChainOptions.viaLinks}); every other hop a descendant of the hop
 * before it. Throws a plain Error showing the expected chain beside the actual tree, so it works
 * with any test runner. Returns the matched spans in order.
 *
 * @example
 * expectChain(trace, ['send orders', 'process orders', 'send payments', 'process payments']);
 */
export function expectChain(trace: TraceView, hops: Hop[], options: ChainOptions = {}): SpanView[] {
  const wanted = hops.map(normal);
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  let deepest: SpanView[] = [];
  const search = (chain: SpanView[]): SpanView[] | undefined => {
    if (chain.length > deepest.length) deepest = chain;
    if (chain.length === wanted.length) return chain;
    const hop = wanted[chain.length] as NormalHop;
    const prev = chain[chain.length - 1];
    for (const span of trace.spans) {
      if (!matches(span, hop) || chain.includes(span)) continue;
      if (prev && !follows(span, prev, byId, options)) continue;
      const found = search([...chain, span]);
      if (found) return found;
    }
    return undefined;
  };
  const found = wanted.length === 0 ? [] : search([]);
  if (found) return found;

  const expected = wanted.map((h, i) => `  ${i < deepest.length ? '✓' : i === deepest.length ? '✗' : ' '} ${i + 1}. ${describeHop(h)}`).join('\n');
  const failedHop = wanted[deepest.length] as NormalHop;
  const candidates = trace.spans.filter((s) => s.name === failedHop.name);
  const hint =
    candidates.length === 0
      ? `no span is named "${failedHop.name}"`
      : `${candidates.length} span(s) named "${failedHop.name}", none ${deepest.length === 0 ? 'with that kind/service' : `following "${describeHop(wanted[deepest.length - 1] as NormalHop)}"`}`;
  throw new Error(`expected chain not found in trace ${trace.traceId}: ${hint}\nexpected:\n${expected}\nactual:\n${renderTrace(trace, { barWidth: 0 })}`);
}

import { ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

/**
 * How the root sampler of a {@link parentBased} sampler decides a root span from its trace id alone
 * (its answer for every name, kind, attribute and link): the trace id is sampled when its four
 * 32-bit words XOR-ed together ({@link foldTraceId}) are below this bound, the SDK's ratio rule.
 * 2^32 samples every trace (always on), 0 none (always off).
 * @internal
 */
export type RootDecision = number;

/** Samplers made by startTracing that are parent-based with the SDK's default delegates, with their root decision when known. */
const parentDecides = new WeakMap<Sampler, RootDecision | undefined>();

/**
 * A `ParentBasedSampler` over `root` with the default delegates (a sampled parent samples, an
 * unsampled one does not, remote or local), marked so that a lean tracer may take the decision
 * from a valid parent's flag without the call: the sampler's answer would be the same, and on a
 * consumer it re-validates the parent's ids (a regular expression each) once more per message.
 * `rootDecision`, when given, is what `root` answers for a trace id: the tracer then decides a root
 * span before its attributes exist.
 * @internal
 */
export function parentBased(root: Sampler, rootDecision?: RootDecision): Sampler {
  const sampler = new ParentBasedSampler({ root });
  parentDecides.set(sampler, rootDecision);
  return sampler;
}

/** Whether `sampler` is one of {@link parentBased}'s. @internal */
export function isParentDecided(sampler: Sampler): boolean {
  return parentDecides.has(sampler);
}

/** The root decision a {@link parentBased} sampler was made with. @internal */
export function rootDecisionOf(sampler: Sampler): RootDecision | undefined {
  return parentDecides.get(sampler);
}

export const ALWAYS: RootDecision = 0x100000000;
export const NEVER: RootDecision = 0;

/**
 * The bound at which the SDK's `TraceIdRatioBasedSampler(ratio)` samples a valid trace id (its ratio
 * normalised as it does). Pinned against the SDK's sampler in test/unit/setup/lean/lazy-start.test.ts.
 * @internal
 */
export function ratioDecision(ratio: number): RootDecision {
  const r = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
  return r === 1 ? 0x100000000 : Math.floor(r * 0xffffffff);
}

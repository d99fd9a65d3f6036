import { ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

/**
 * How the root sampler of a {@link parentBased} sampler decides a root span: from its trace id alone
 * (the sampler's answer for every name, kind, attribute and link), true to sample.
 * @internal
 */
export type RootDecision = (traceId: string) => boolean;

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

export const ALWAYS: RootDecision = () => true;
export const NEVER: RootDecision = () => false;

/**
 * What the SDK's `TraceIdRatioBasedSampler(ratio)` answers for a valid trace id, without its
 * regular-expression check of the id (the lean tracer only asks about ids it made): the trace id's
 * four 32-bit words XOR-ed together, below `ratio` of the 32-bit range. Pinned against the SDK's
 * sampler in test/unit/setup/lean/parent-decides.test.ts.
 * @internal
 */
export function ratioDecision(ratio: number): RootDecision {
  const r = typeof ratio !== 'number' || Number.isNaN(ratio) ? 0 : Math.min(1, Math.max(0, ratio));
  const upperBound = r === 1 ? 0x100000000 : Math.floor(r * 0xffffffff);
  return (traceId) => {
    let acc = 0;
    for (let i = 0; i < 32; i += 8) {
      let word = 0;
      for (let j = i; j < i + 8; j++) {
        const c = traceId.charCodeAt(j);
        word = (word << 4) | (c < 58 ? c - 48 : c - 87); // lowercase hex: the generator's ids
      }
      acc = (acc ^ word) >>> 0;
    }
    return acc < upperBound;
  };
}

import { ParentBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';

/** Samplers made by startTracing that are parent-based with the SDK's default delegates. */
const parentDecides = new WeakSet<Sampler>();

/**
 * A `ParentBasedSampler` over `root` with the default delegates (a sampled parent samples, an
 * unsampled one does not, remote or local), marked so that a lean tracer may take the decision
 * from a valid parent's flag without the call: the sampler's answer would be the same, and on a
 * consumer it re-validates the parent's ids (a regular expression each) once more per message.
 * @internal
 */
export function parentBased(root: Sampler): Sampler {
  const sampler = new ParentBasedSampler({ root });
  parentDecides.add(sampler);
  return sampler;
}

/** Whether `sampler` is one of {@link parentBased}'s. @internal */
export function isParentDecided(sampler: Sampler): boolean {
  return parentDecides.has(sampler);
}

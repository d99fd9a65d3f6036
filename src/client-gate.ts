/**
 * A switch the drop-in instrumentation puts on the options it hands the wrappers (under a symbol, so it
 * is no public option): while it answers false, clients it instrumented pass everything straight through,
 * as with nothing registered. This is how `disable()` reaches clients made while it was enabled. @internal
 */
export const CLIENT_GATE = Symbol('kafkajs-tracing.client-gate');

/** Options that may carry the instrumentation's switch. @internal */
export interface Gated {
  [CLIENT_GATE]?: () => boolean;
}

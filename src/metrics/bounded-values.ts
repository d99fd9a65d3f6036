import { diag } from '@opentelemetry/api';

/** The value a metric attribute takes for anything outside its bounded set (the SDK's own overflow word). @internal */
export const OTHER_VALUE = '_OTHER';

/** Distinct values kept when the operator names none: each is a series per topic and group. */
const DEFAULT_BUDGET = 16;

/**
 * Maps a value that arrives from outside (a message header) to one of a bounded set the operator
 * controls, so that no producer can create metric series at will: with a list, the listed values and
 * `_OTHER`; without one, the first {@link DEFAULT_BUDGET} distinct values seen in the process and
 * `_OTHER` after them, said once through diag with the option that fixes the set.
 * @internal
 */
export class BoundedValues {
  private readonly allowed: ReadonlySet<string> | undefined;
  private readonly seen = new Set<string>();
  private warned = false;

  constructor(
    private readonly what: string,
    private readonly option: string,
    allowed?: readonly string[],
    private readonly budget = DEFAULT_BUDGET,
  ) {
    this.allowed = allowed ? new Set(allowed) : undefined;
  }

  /** `value` itself when it belongs to the set, else {@link OTHER_VALUE}. */
  map(value: string): string {
    if (this.allowed) return this.allowed.has(value) ? value : OTHER_VALUE;
    if (this.seen.has(value)) return value;
    if (this.seen.size < this.budget) {
      this.seen.add(value);
      return value;
    }
    if (!this.warned) {
      this.warned = true;
      diag.warn(
        `kafkajs-tracing: more than ${this.budget} distinct ${this.what} values arrived in messages; further ones are recorded as ${OTHER_VALUE}. ` +
          `Name the expected ones with the ${this.option} option.`,
      );
    }
    return OTHER_VALUE;
  }
}

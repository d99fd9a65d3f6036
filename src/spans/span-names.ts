/** Topics whose names are kept per operation; past this the cache starts over (a bound, not an LRU). */
const MAX_TOPICS = 1024;

const byOperation = new Map<string, Map<string, string>>();

/**
 * The span name `{operation} {topic}` the messaging conventions ask for. Built once per operation and
 * topic and reused, since every message of a topic asks for the same string.
 * @internal
 */
export function spanName(operation: 'send' | 'create' | 'process', topic: string): string {
  let names = byOperation.get(operation);
  if (!names) byOperation.set(operation, (names = new Map()));
  let name = names.get(topic);
  if (name === undefined) {
    if (names.size >= MAX_TOPICS) names.clear();
    name = `${operation} ${topic}`;
    names.set(topic, name);
  }
  return name;
}

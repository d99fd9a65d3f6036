import { JaegerQuery } from './jaeger-query';
import { renderTrace, traceUrl } from './render-trace';
import { toTraceView } from './trace-view';
import { waitForTrace } from './wait-for-trace';
import { pipelineCommand } from './pipeline-report';
import { DEFAULT_QUERY_URL, queryOptionsFromEnv } from './query-env';

const USAGE = `usage: kafkajs-tracing trace <traceId> [--jaeger <url>] [--wait <ms>] [--ascii]
       kafkajs-tracing trace --service <name> [--limit <n>] [--jaeger <url>] [--ascii]
       kafkajs-tracing pipeline --service <entry service> [--limit <n>] [--lookback <1h>] [--jaeger <url>] [--ascii]

Prints a trace from Jaeger's query API as a text waterfall, with its Jaeger UI link; \`pipeline\` prints
each hop of the pipeline that starts at a service: queue time and time since origin, from recent traces.
  <traceId>   32 hex characters, as in a traceparent header (shorter 64-bit ids also work)
  --jaeger    Jaeger query API / UI address (http or https); default $JAEGER_QUERY_URL, else http://127.0.0.1:16686
  --wait      keep asking for up to this many milliseconds until the trace arrives
  --limit     how many traces of the service to print (default 5)
  --ascii     draw with ASCII characters only
  --help      this text

Environment: JAEGER_QUERY_TOKEN (bearer token), JAEGER_QUERY_USERNAME and JAEGER_QUERY_PASSWORD (basic auth),
JAEGER_QUERY_HEADERS (key=value,... extra headers), JAEGER_QUERY_CA (PEM file of a private CA),
JAEGER_QUERY_CLIENT_CERTIFICATE and JAEGER_QUERY_CLIENT_KEY (mutual TLS), JAEGER_QUERY_API (auto, v3 or
legacy; auto calls /api/v3 and falls back to the legacy endpoints where it is missing).`;

/** Asked for help: usage goes to stdout and the exit code is 0. */
const HELP = Symbol('help');

interface Args {
  traceId?: string;
  service?: string;
  limit: number;
  jaeger: string;
  waitMs: number;
  ascii: boolean;
}

/** A whole number of at least `min`, or a usage error naming the option. */
function wholeNumber(option: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new Error(`${option} needs a whole number of at least ${min}, got "${text}"`);
  return n;
}

function parse(argv: string[]): Args | string | typeof HELP {
  if (argv.includes('--help') || argv.includes('-h')) return HELP;
  const [command, ...rest] = argv;
  if (command !== 'trace') return command === undefined ? USAGE : `unknown command ${command}\n${USAGE}`;
  const args: Args = { limit: 5, jaeger: process.env.JAEGER_QUERY_URL || DEFAULT_QUERY_URL, waitMs: 0, ascii: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--service') args.service = value();
    else if (a === '--limit') args.limit = wholeNumber(a, value(), 1);
    else if (a === '--jaeger') args.jaeger = value();
    else if (a === '--wait') args.waitMs = wholeNumber(a, value(), 0);
    else if (a === '--ascii') args.ascii = true;
    else if (!a.startsWith('-') && !args.traceId) args.traceId = a;
    else return `unknown argument ${a}\n${USAGE}`;
  }
  if (!args.traceId === !args.service) return USAGE;
  if (args.traceId && !/^[0-9a-fA-F]{1,32}$/.test(args.traceId)) {
    return `not a trace id: ${args.traceId}\na trace id is 32 hex characters (0-9, a-f), such as 4bf92f3577b34da6a3ce929d0e0e4736`;
  }
  return args;
}

/**
 * The `kafkajs-tracing` command: the trace view for machines without the Jaeger UI.
 * Returns the exit code: 0 printed, 1 not found or Jaeger unreachable, 2 usage.
 * @internal
 */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  if (argv[0] === 'pipeline') return pipelineCommand(argv.slice(1), out, err);
  let args: Args | string | typeof HELP;
  try {
    args = parse(argv);
  } catch (e) {
    args = `${(e as Error).message}\n${USAGE}`;
  }
  if (args === HELP) {
    out(USAGE);
    return 0;
  }
  if (typeof args === 'string') {
    err(args);
    return 2;
  }
  let query: JaegerQuery;
  try {
    query = new JaegerQuery(args.jaeger, queryOptionsFromEnv());
  } catch (e) {
    err((e as Error).message);
    return 2;
  }
  const render = { ascii: args.ascii };
  try {
    if (args.traceId) {
      const id = args.traceId.toLowerCase();
      const trace = args.waitMs > 0 ? await waitForTrace(query, id, { timeoutMs: args.waitMs }) : await query.getTrace(id).then((raw) => raw && toTraceView(raw));
      if (!trace) {
        err(`trace ${id} not found in Jaeger at ${query.baseUrl}`);
        return 1;
      }
      out(renderTrace(trace, render));
      out(traceUrl(query.baseUrl, trace.traceId));
      return 0;
    }
    const traces = await query.findTraces({ service: args.service as string, limit: args.limit, lookback: '24h' });
    if (traces.length === 0) {
      err(`no traces of service ${args.service} in Jaeger at ${query.baseUrl}`);
      return 1;
    }
    for (const raw of traces) {
      const trace = toTraceView(raw);
      out(renderTrace(trace, render));
      out(`${traceUrl(query.baseUrl, trace.traceId)}\n`);
    }
    return 0;
  } catch (e) {
    err((e as Error).message);
    return 1;
  }
}

import { JaegerQuery } from './jaeger-query';
import { renderTrace, traceUrl } from './render-trace';
import { toTraceView } from './trace-view';
import { waitForTrace } from './wait-for-trace';
import { pipelineCommand } from './pipeline-report';

const USAGE = `usage: kafkajs-tracing trace <traceId> [--jaeger <url>] [--wait <ms>] [--ascii]
       kafkajs-tracing trace --service <name> [--limit <n>] [--jaeger <url>] [--ascii]
       kafkajs-tracing pipeline --service <entry service> [--limit <n>] [--lookback <1h>] [--jaeger <url>] [--ascii]

Prints a trace from Jaeger's query API as a text waterfall, with its Jaeger UI link.
--jaeger defaults to $JAEGER_QUERY_URL, else http://127.0.0.1:16686.`;

interface Args {
  traceId?: string;
  service?: string;
  limit: number;
  jaeger: string;
  waitMs: number;
  ascii: boolean;
}

function parse(argv: string[]): Args | string {
  const [command, ...rest] = argv;
  if (command !== 'trace') return USAGE;
  const args: Args = { limit: 5, jaeger: process.env.JAEGER_QUERY_URL ?? 'http://127.0.0.1:16686', waitMs: 0, ascii: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--service') args.service = value();
    else if (a === '--limit') args.limit = Number(value());
    else if (a === '--jaeger') args.jaeger = value();
    else if (a === '--wait') args.waitMs = Number(value());
    else if (a === '--ascii') args.ascii = true;
    else if (a === '--help' || a === '-h') return USAGE;
    else if (!a.startsWith('-') && !args.traceId) args.traceId = a;
    else return `unknown argument ${a}\n${USAGE}`;
  }
  if (!args.traceId === !args.service) return USAGE;
  if (args.traceId && !/^[0-9a-fA-F]{1,32}$/.test(args.traceId)) return `not a trace id: ${args.traceId}`;
  return args;
}

/**
 * The `kafkajs-tracing` command: the trace view for machines without the Jaeger UI.
 * Returns the exit code: 0 printed, 1 not found or Jaeger unreachable, 2 usage.
 * @internal
 */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  if (argv[0] === 'pipeline') return pipelineCommand(argv.slice(1), out, err);
  let args: Args | string;
  try {
    args = parse(argv);
  } catch (e) {
    args = `${(e as Error).message}\n${USAGE}`;
  }
  if (typeof args === 'string') {
    err(args);
    return 2;
  }
  const query = new JaegerQuery(args.jaeger);
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

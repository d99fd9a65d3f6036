/* global require, process, Buffer, setImmediate, setTimeout, console */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script: loads either build by path, without tsx in the measured process */
// One variant's CPU µs per message, produce and consume, through startTracing's default export path
// (spans encoded into OTLP protobuf at span end, EXPORT=jaeger: Jaeger Thrift; bodies handed to a sink
// that resolves at once), on
// stubbed kafkajs clients. One variant per process, so two builds can be compared run by run:
//   node bench/hot-path.cjs <plain|lean100|lean1|sdk100|sdk1> [ops] [both|produce|consume]
//   DIST=<other build>/dist/index.js DIST_SETUP=<other build>/dist/setup/index.js node bench/hot-path.cjs lean1
// Env: ALS_ON=1 turns the context manager's hooks on in plain too (a traced variant always has them on);
// BSP=1 exports through the SDK's BatchSpanProcessor instead; NO_KJT=1 sets pipelineOrigin: false;
// KJT_IN=1 gives consumed messages a kjt tracestate entry (as a producer before issue 22 wrote at hop 1);
// CG=1 toggles callgrind's instrumentation around the measured loops (run under
// valgrind --tool=callgrind --instr-atstart=no; clock reads are inflated there: see the report of issue 22).
const { Kafka } = require('kafkajs');
const { ExportResultCode } = require('@opentelemetry/core');
const api = require('@opentelemetry/api');
const { startTracing } = require(process.env.DIST_SETUP ?? '../dist/setup/index.js');
const { instrumentConsumer, instrumentProducer } = require(process.env.DIST ?? '../dist/index.js');
const [variant = 'lean100', opsArg = '20000', side = 'both'] = process.argv.slice(2);
const OPS = Number(opsArg);
const VALUE = Buffer.alloc(1200, 0x61);
// What startTracing registers globally: its W3C propagator and an AsyncLocalStorage context manager.
api.propagation.setGlobalPropagator(require((process.env.DIST_SETUP ?? '../dist/setup/index.js').replace('setup/index.js', 'propagation/w3c-propagator.js')).w3cPropagator);
api.context.setGlobalContextManager(new (require('@opentelemetry/context-async-hooks').AsyncLocalStorageContextManager)().enable());
function stubbed() {
  const p = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: 0 }).producer();
  const ack = [{ topicName: 'bench', partition: 0, errorCode: 0, baseOffset: '0' }];
  p.send = () => Promise.resolve(ack);
  return p;
}
let producer = stubbed(); let eachMessage = async () => undefined; let tracing;
if (process.env.ALS_ON) api.context.with(api.ROOT_CONTEXT.setValue(Symbol('x'), 1), () => undefined); // the context manager's hooks on, as any traced variant has them
const ratio = variant.endsWith('100') ? 1 : 0.01;
if (variant !== 'plain') {
  const setupDir = (process.env.DIST_SETUP ?? '../dist/setup/index.js').replace('index.js', '');
  let Sink;
  if (process.env.EXPORT === 'jaeger') {
    const { JaegerHttpExporter } = require(`${setupDir}jaeger-exporter.js`);
    Sink = class extends JaegerHttpExporter { send() { return Promise.resolve(); } };
  } else {
    const { OtlpHttpCollector } = require(`${setupDir}otlp/http-collector.js`);
    Sink = class extends OtlpHttpCollector { send() { return Promise.resolve(); } };
  }
  const exporter = process.env.BSP ? { export: (s, d) => d({ code: ExportResultCode.SUCCESS }), shutdown: async () => {} } : process.env.EXPORT === 'jaeger' ? new Sink({ endpoint: 'http://127.0.0.1:1/api/traces' }) : new Sink({ url: 'http://127.0.0.1:1/v1/traces', headers: {}, compression: 'none', timeoutMillis: 10000 });
  tracing = startTracing({ serviceName: 'bench', exporter, register: false, sampleRatio: ratio, leanSpans: variant.startsWith('lean'), batch: { maxQueueSize: 1e6, maxExportBatchSize: 512, scheduledDelayMillis: 100 } });
  const opts = { tracerProvider: tracing.provider, ...(process.env.NO_KJT ? { pipelineOrigin: false } : {}) };
  producer = instrumentProducer(producer, opts);
  let captured;
  instrumentConsumer({ run: async (c) => void (captured = c) }, opts).run({ eachMessage: async () => undefined });
  eachMessage = captured.eachMessage;
}
const s = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
const u = Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
const payloads = Array.from({ length: 1000 }, (_, i) => ({ topic: 'bench', partition: 0, message: { key: Buffer.from(`k${i}`), value: VALUE, timestamp: String(Date.now()), attributes: 0, offset: String(i), headers: { traceparent: i % Math.round(1 / ratio) === 0 ? s : u, ...(process.env.KJT_IN ? { tracestate: Buffer.from('kjt=mi0x4s2o:1:orders') } : {}) } }, heartbeat: async () => undefined, pause: () => () => undefined }));
const tick = () => new Promise((r) => setImmediate(r));
async function produce(n) { for (let i = 0; i < n; i++) if ((i & 1023) === 0) await tick(); else await producer.send({ topic: 'bench', messages: [{ key: `k${i}`, value: VALUE }] }); }
async function consume(n) { for (let i = 0; i < n; i++) if ((i & 1023) === 0) await tick(); else await eachMessage(payloads[i % 1000]); }
(async () => {
  const t = (c) => (c.user + c.system);
  if (side !== 'consume') { await produce(3000); }
  if (side !== 'produce') { await consume(3000); }
  const cg = (on) => { if (process.env.CG) require('child_process').execSync(`callgrind_control -i ${on ? 'on' : 'off'} ${process.pid}`, { stdio: 'ignore' }); };
  await new Promise((r) => setTimeout(r, 300));
  cg(true);
  const now = () => process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const w0 = now();
  if (side !== 'consume') await produce(OPS);
  const c1 = process.cpuUsage();
  const w1 = now();
  if (side !== 'produce') await consume(OPS);
  const c2 = process.cpuUsage();
  const w2 = now();
  cg(false);
  await tracing?.shutdown();
  // CPU counts every thread of the process (GC helpers, the JIT's background compiles); wall clock is the loop's own.
  const wallUs = (a, b) => Number(b - a) / 1000 / OPS;
  console.log(JSON.stringify({ variant, ops: OPS, produceCpuUs: +(t(process.cpuUsage(c0)) - t(process.cpuUsage(c1))) / OPS, consumeCpuUs: (t(process.cpuUsage(c1)) - t(process.cpuUsage(c2))) / OPS, produceWallUs: wallUs(w0, w1), consumeWallUs: wallUs(w1, w2) }));
})();

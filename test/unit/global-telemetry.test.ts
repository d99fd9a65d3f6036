// What src/global-telemetry.ts assumes of @opentelemetry/api, one test per assumption, and its
// answers before and after each kind of global registration (this file runs in its own process).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProxyTracerProvider,
  ROOT_CONTEXT,
  context,
  createNoopMeter,
  defaultTextMapSetter,
  metrics,
  propagation,
  trace,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  contextManagerRegistered,
  globalOrW3cPropagator,
  isNoopMeter,
  meterProviderRegistered,
  propagatorRegistered,
  readsW3cDirectly,
  telemetryRegistered,
  tracerProviderRegistered,
} from '../../src/global-telemetry';
import { w3cPropagator } from '../../src/propagation/w3c-propagator';
import { propagatorFromEnv } from '../../src/setup/env-config';

afterEach(() => {
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
});

const sampledContext = () =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });

describe('assumptions about @opentelemetry/api', () => {
  it('every ProxyTracerProvider without a delegate hands out one shared no-op provider', () => {
    const global = trace.getTracerProvider();
    assert.ok(global instanceof ProxyTracerProvider);
    assert.equal(global.getDelegate(), new ProxyTracerProvider().getDelegate());
  });

  it('registering a tracer provider makes it the delegate of the global proxy', () => {
    const provider = new BasicTracerProvider();
    assert.equal(trace.setGlobalTracerProvider(provider), true);
    const global = trace.getTracerProvider();
    assert.ok(global instanceof ProxyTracerProvider);
    assert.equal(global.getDelegate(), provider);
  });

  it('a tracer taken from the global proxy before any registration records once a provider is registered (client-tracing.ts takes it once)', () => {
    const tracer = trace.getTracerProvider().getTracer('early');
    assert.equal(tracer.startSpan('before').isRecording(), false);
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    tracer.startSpan('after').end();
    assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ['after']);
  });

  it('the no-op meter provider hands out the one meter createNoopMeter() returns; a registered provider is returned as is', () => {
    assert.equal(metrics.getMeterProvider().getMeter('a'), createNoopMeter());
    assert.equal(createNoopMeter(), createNoopMeter());
    const provider = new MeterProvider();
    metrics.setGlobalMeterProvider(provider);
    assert.equal(metrics.getMeterProvider(), provider);
    assert.notEqual(provider.getMeter('a'), createNoopMeter());
  });

  it('the default propagator has no fields and writes nothing; a registered one has fields', () => {
    const carrier: Record<string, string> = {};
    propagation.inject(sampledContext(), carrier, defaultTextMapSetter);
    assert.deepEqual(carrier, {});
    assert.deepEqual(propagation.fields(), []);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate']);
  });
});

describe('global telemetry state', () => {
  it('tracer provider: by identity, so a provider whose class is called NoopTracerProvider (as after minification) still counts', () => {
    assert.equal(tracerProviderRegistered(), false);
    class NoopTracerProvider implements TracerProvider {
      getTracer(): Tracer {
        return new BasicTracerProvider().getTracer('x');
      }
    }
    trace.setGlobalTracerProvider(new NoopTracerProvider());
    assert.equal(tracerProviderRegistered(), true);
    trace.disable();
    assert.equal(tracerProviderRegistered(), false);
  });

  it('meter provider: follows one registered later and one removed', () => {
    assert.equal(meterProviderRegistered(), false);
    assert.equal(isNoopMeter(metrics.getMeter('x')), true);
    metrics.setGlobalMeterProvider(new MeterProvider());
    assert.equal(meterProviderRegistered(), true);
    assert.equal(isNoopMeter(metrics.getMeter('x')), false);
    metrics.disable();
    assert.equal(meterProviderRegistered(), false);
  });

  it('telemetry registered: either provider is enough', () => {
    assert.equal(telemetryRegistered(), false);
    metrics.setGlobalMeterProvider(new MeterProvider());
    assert.equal(telemetryRegistered(), true);
    metrics.disable();
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    assert.equal(telemetryRegistered(), true);
  });

  it('context manager: only a real one carries values', () => {
    assert.equal(contextManagerRegistered(), false);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    assert.equal(contextManagerRegistered(), true);
  });

  it('propagator: W3C while none is registered, then the registered one, decided per use', () => {
    const inject = () => {
      const carrier: Record<string, string> = {};
      globalOrW3cPropagator.inject(sampledContext(), carrier, defaultTextMapSetter);
      return Object.keys(carrier).sort();
    };
    assert.equal(propagatorRegistered(), false);
    assert.deepEqual(inject(), ['traceparent']);
    assert.deepEqual(globalOrW3cPropagator.fields(), ['traceparent', 'tracestate', 'baggage']);
    propagation.setGlobalPropagator(new B3Propagator());
    assert.equal(propagatorRegistered(), true);
    assert.deepEqual(inject(), ['b3']);
    propagation.disable();
    propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
    assert.deepEqual(inject(), ['traceparent']);
  });

  it('the package’s own W3C propagator is recognised, given or registered; any other is not', () => {
    const core = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
    assert.equal(readsW3cDirectly(w3cPropagator), true);
    assert.equal(readsW3cDirectly(core), false);
    assert.equal(readsW3cDirectly(globalOrW3cPropagator), true, 'none registered: W3C is what it uses');
    assert.equal(readsW3cDirectly(propagation), false, 'none registered: the API propagates nothing');
    propagation.setGlobalPropagator(w3cPropagator);
    assert.equal(readsW3cDirectly(propagation), true);
    assert.equal(readsW3cDirectly(globalOrW3cPropagator), true);
    propagation.disable();
    propagation.setGlobalPropagator(core);
    assert.equal(readsW3cDirectly(propagation), false, 'the same fields, another propagator');
    assert.equal(readsW3cDirectly(globalOrW3cPropagator), false);
    propagation.disable();
    propagation.setGlobalPropagator(propagatorFromEnv()!);
    assert.equal(readsW3cDirectly(propagation), true, 'startTracing’s default (OTEL_PROPAGATORS unset) is the package’s own');
  });
});

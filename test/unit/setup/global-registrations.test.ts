// startTracing fills only the global slots the application left empty, and shutdown() empties only
// those: the application's own context manager and propagator keep working afterwards.
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, context, createContextKey, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../src/setup/index';

const KEY = createContextKey('app value');
/** Whether the global context manager carries a value into a callback, as a working one does. */
const contextFlows = () => context.with(ROOT_CONTEXT.setValue(KEY, 'v'), () => context.active().getValue(KEY) === 'v');

afterEach(() => {
  trace.disable();
  propagation.disable();
  context.disable();
});

describe('startTracing global registrations', () => {
  it("keeps the application's context manager and propagator through shutdown when it registered only the provider", async () => {
    const appManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(appManager);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const tracing = startTracing({ exporter: new InMemorySpanExporter() });
    assert.equal(tracing.registered, true, 'the provider slot was empty');
    await tracing.shutdown();
    assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate'], "the application's propagator is still registered");
    assert.equal(contextFlows(), true, "the application's context manager still works");
    assert.equal(trace.getTracerProvider().getTracer('x').startSpan('s').isRecording(), false, 'its own provider is unregistered');
  });

  it('registered nothing (everything taken): shutdown changes no global', async () => {
    const appProvider = new BasicTracerProvider();
    trace.setGlobalTracerProvider(appProvider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const tracing = startTracing({ exporter: new InMemorySpanExporter() });
    assert.equal(tracing.registered, false);
    await tracing.shutdown();
    assert.equal(trace.getTracerProvider().getTracer('x').startSpan('s').isRecording(), true, "the application's provider stays");
    assert.equal(propagation.fields().length, 2);
    assert.equal(contextFlows(), true);
  });

  it('fills the empty slots and empties them again on shutdown', async () => {
    assert.equal(contextFlows(), false, 'no context manager to begin with');
    const tracing = startTracing({ exporter: new InMemorySpanExporter() });
    assert.equal(contextFlows(), true, 'its context manager is registered');
    assert.deepEqual(propagation.fields(), ['traceparent', 'tracestate', 'baggage']);
    await tracing.shutdown();
    assert.equal(contextFlows(), false);
    assert.deepEqual(propagation.fields(), []);
  });

  it('leaves no context manager of its own enabled when it could not register it', async () => {
    const appManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(appManager);
    const enabled: unknown[] = [];
    const enable = AsyncLocalStorageContextManager.prototype.enable;
    AsyncLocalStorageContextManager.prototype.enable = function (this: AsyncLocalStorageContextManager) {
      enabled.push(this);
      return enable.call(this);
    };
    try {
      const tracing = startTracing({ exporter: new InMemorySpanExporter() });
      await tracing.shutdown();
    } finally {
      AsyncLocalStorageContextManager.prototype.enable = enable;
    }
    assert.deepEqual(enabled, [], 'none created and enabled beside the registered one');
  });
});

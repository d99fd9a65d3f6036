import { diag, type TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringListFromEnv,
} from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';

import { baggagePropagator, traceContextPropagator } from '../propagation/w3c-propagator';
import { jaegerPropagator } from '../propagation/jaeger-propagator';

/** Span exporters `OTEL_TRACES_EXPORTER` can name here. @internal */
export type TraceExporterName = 'jaeger' | 'otlp' | 'console';

const TRACE_EXPORTERS: readonly string[] = ['jaeger', 'otlp', 'console'];

// Each unknown value is warned about once per process, not on every startTracing call.
const warned = new Set<string>();
/** Warns once per process that `value` in `variable` is ignored, and what applies instead. @internal */
export function warnUnknownOnce(variable: string, value: string, fallback: string): void {
  const key = `${variable}=${value}`;
  if (warned.has(key)) return;
  warned.add(key);
  diag.warn(`kafkajs-tracing: unknown value "${value}" in ${variable} is ignored; ${fallback}`);
}

/**
 * A comma-separated list of enum values, lower-cased: the specification says enum values SHOULD be
 * case-insensitive (`OTEL_PROPAGATORS=TraceContext,Baggage` means what `tracecontext,baggage` means).
 * @internal
 */
export function enumListFromEnv(name: string): string[] | undefined {
  return getStringListFromEnv(name)?.map((v) => v.toLowerCase());
}

/** `OTEL_SDK_DISABLED=true`: the specification's switch that turns the whole SDK into a no-op. @internal */
export function sdkDisabledByEnv(): boolean {
  return getBooleanFromEnv('OTEL_SDK_DISABLED');
}

/**
 * The span exporters `OTEL_TRACES_EXPORTER` asks for: undefined when unset (the caller's default),
 * an empty list for `none`, else the known names in order. Unknown names are warned about once and
 * skipped; a list with none known falls back to the default.
 * @internal
 */
export function traceExportersFromEnv(): TraceExporterName[] | undefined {
  const values = enumListFromEnv('OTEL_TRACES_EXPORTER');
  if (!values || values.length === 0) return undefined;
  if (values.includes('none')) {
    if (values.length > 1) warnUnknownOnce('OTEL_TRACES_EXPORTER', values.join(','), '"none" wins: spans are not exported');
    return [];
  }
  const known: TraceExporterName[] = [];
  for (const v of values) {
    if (!TRACE_EXPORTERS.includes(v)) warnUnknownOnce('OTEL_TRACES_EXPORTER', v, 'expected jaeger, otlp, console or none');
    else if (!known.includes(v as TraceExporterName)) known.push(v as TraceExporterName);
  }
  return known.length > 0 ? known : undefined;
}

function propagatorNamed(name: string): TextMapPropagator | undefined {
  switch (name) {
    // The package's own: stricter than core's where the W3C test suite is (src/propagation/w3c-propagator.ts).
    case 'tracecontext':
      return traceContextPropagator;
    case 'baggage':
      return baggagePropagator;
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    case 'jaeger':
      return jaegerPropagator;
    default:
      return undefined;
  }
}

/**
 * The propagator `OTEL_PROPAGATORS` asks for (`tracecontext`, `baggage`, `b3`, `b3multi`, `jaeger`,
 * comma-separated), W3C trace context + baggage when unset, undefined for `none`. Unknown names are
 * warned about once and skipped.
 * @internal
 */
export function propagatorFromEnv(): TextMapPropagator | undefined {
  const names = enumListFromEnv('OTEL_PROPAGATORS') ?? [];
  if (names.includes('none')) return undefined;
  const propagators: TextMapPropagator[] = [];
  for (const name of names.length > 0 ? [...new Set(names)] : ['tracecontext', 'baggage']) {
    const p = propagatorNamed(name);
    if (p) propagators.push(p);
    else warnUnknownOnce('OTEL_PROPAGATORS', name, 'expected tracecontext, baggage, b3, b3multi, jaeger or none');
  }
  return propagators.length > 0 ? new CompositePropagator({ propagators }) : undefined;
}

/** A number from the environment; blank or non-numeric values count as unset. @internal */
export function numberFromEnv(name: string): number | undefined {
  const n = getNumberFromEnv(name);
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

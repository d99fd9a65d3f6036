import { diag, type TextMapPropagator } from '@opentelemetry/api';
import {
  CompositePropagator,
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from '@opentelemetry/core';
import { AlwaysOffSampler, AlwaysOnSampler, TraceIdRatioBasedSampler, type Sampler, type SpanLimits } from '@opentelemetry/sdk-trace';

import { baggagePropagator, traceContextPropagator, w3cPropagator } from '../propagation/w3c-propagator';
import { jaegerPropagator } from '../propagation/jaeger-propagator';
import { optionalPeer } from './optional-peer';
import { ALWAYS, NEVER, parentBased, ratioDecision } from './lean/parent-decides';

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

/** The ratio of `OTEL_TRACES_SAMPLER_ARG` for the ratio samplers: 1 when unset or not within [0, 1]. */
function ratioFromEnv(): number {
  const raw = getStringFromEnv('OTEL_TRACES_SAMPLER_ARG');
  if (raw === undefined) return 1;
  const ratio = Number(raw);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  warnUnknownOnce('OTEL_TRACES_SAMPLER_ARG', raw, 'expected a number from 0 to 1; using 1');
  return 1;
}

/**
 * The sampler `OTEL_TRACES_SAMPLER` (and `_ARG`) asks for, as the specification names them;
 * parent-based always-on when unset or unknown (warned about once). The SDK's own provider of the
 * 2.x line read these; `@opentelemetry/sdk-trace`, the one of both lines, leaves them to the caller.
 * @internal
 */
export function samplerFromEnv(): Sampler {
  const name = enumListFromEnv('OTEL_TRACES_SAMPLER')?.[0];
  switch (name) {
    case undefined:
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler(), ALWAYS);
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratioFromEnv());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler(), NEVER);
    case 'parentbased_traceidratio':
      {
      const ratio = ratioFromEnv();
      return parentBased(new TraceIdRatioBasedSampler(ratio), ratioDecision(ratio));
    }
    default:
      warnUnknownOnce('OTEL_TRACES_SAMPLER', name, 'expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio; using parentbased_always_on');
      return parentBased(new AlwaysOnSampler(), ALWAYS);
  }
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

/* eslint-disable @typescript-eslint/no-require-imports */
function b3(multiHeader: boolean): TextMapPropagator | undefined {
  const m = optionalPeer('@opentelemetry/propagator-b3', 'OTEL_PROPAGATORS=b3', () => require('@opentelemetry/propagator-b3') as typeof import('@opentelemetry/propagator-b3'));
  return m && new m.B3Propagator({ injectEncoding: multiHeader ? m.B3InjectEncoding.MULTI_HEADER : m.B3InjectEncoding.SINGLE_HEADER });
}
/* eslint-enable @typescript-eslint/no-require-imports */

function propagatorNamed(name: string): TextMapPropagator | undefined {
  switch (name) {
    // The package's own: stricter than core's where the W3C test suite is (src/propagation/w3c-propagator.ts).
    case 'tracecontext':
      return traceContextPropagator;
    case 'baggage':
      return baggagePropagator;
    case 'b3':
      return b3(false);
    case 'b3multi':
      return b3(true);
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
  if (propagators.length === 0) return undefined;
  // The default pair as one propagator the middleware recognises, to read and write its headers directly.
  if (propagators.length === 2 && propagators[0] === traceContextPropagator && propagators[1] === baggagePropagator) return w3cPropagator;
  return new CompositePropagator({ propagators });
}

/** A number from the environment; blank or non-numeric values count as unset. @internal */
export function numberFromEnv(name: string): number | undefined {
  const n = getNumberFromEnv(name);
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

/**
 * Span limits from the specification's variables: a span-specific one wins over the general
 * `OTEL_ATTRIBUTE_*` one; unset fields keep the SDK's defaults. `@opentelemetry/sdk-trace` leaves
 * reading them to its caller, as it does the sampler. @internal
 */
export function spanLimitsFromEnv(): SpanLimits {
  const limits: SpanLimits = {};
  const set = (key: keyof SpanLimits, ...names: string[]): void => {
    for (const name of names) {
      const n = numberFromEnv(name);
      if (n !== undefined && n >= 0) {
        limits[key] = n;
        return;
      }
    }
  };
  set('attributeValueLengthLimit', 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT');
  set('attributeCountLimit', 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT');
  set('eventCountLimit', 'OTEL_SPAN_EVENT_COUNT_LIMIT');
  set('linkCountLimit', 'OTEL_SPAN_LINK_COUNT_LIMIT');
  set('attributePerEventCountLimit', 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT');
  set('attributePerLinkCountLimit', 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT');
  return limits;
}

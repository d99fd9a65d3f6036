import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { SCOPE_NAME, VERSION } from '../version';
import type { TracingOptions } from './tracing-options';

/**
 * The resource every span of the service carries: SDK defaults, then host and process facts, then
 * `OTEL_SERVICE_NAME`/`OTEL_RESOURCE_ATTRIBUTES`, then the explicit options (which win).
 * @internal
 */
export function buildResource(options: TracingOptions): Resource {
  const explicit: Record<string, string | number | boolean> = { ...options.resourceAttributes };
  if (options.serviceName) explicit['service.name'] = options.serviceName;
  if (options.serviceVersion) explicit['service.version'] = options.serviceVersion;
  explicit['telemetry.distro.name'] = SCOPE_NAME;
  explicit['telemetry.distro.version'] = VERSION;
  return defaultResource()
    .merge(detectResources({ detectors: [hostDetector, processDetector, envDetector] }))
    .merge(resourceFromAttributes(explicit));
}

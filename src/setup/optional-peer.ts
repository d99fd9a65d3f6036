import { diag } from '@opentelemetry/api';

const reported = new Set<string>();

/**
 * An optional peer package, loaded when a feature asks for it: the metrics exporters and the B3
 * propagator are installed by the application that uses them, in the OpenTelemetry generation it runs
 * (npm would otherwise install the newest, beside an application's older SDK). Undefined when it is
 * not installed, said once through diag with the install command.
 * @internal
 */
export function optionalPeer<T>(name: string, purpose: string, load: () => T): T | undefined {
  try {
    return load();
  } catch (err) {
    if ((err as { code?: string } | undefined)?.code !== 'MODULE_NOT_FOUND') throw err;
    if (!reported.has(name)) {
      reported.add(name);
      diag.error(`kafkajs-tracing: ${purpose} needs ${name}, which is not installed: npm install ${name} (the release line of your other @opentelemetry packages).`);
    }
    return undefined;
  }
}

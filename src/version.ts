/** Version reported as the instrumentation scope version; test/unit/setup/start-tracing.test.ts keeps it equal to package.json's. @internal */
export const VERSION = '0.2.0';

/** Instrumentation scope name of every tracer this package asks for. @internal */
export const SCOPE_NAME = 'kafkajs-tracing';

/** Version reported as the instrumentation scope version; test/unit/version.test.ts keeps it equal to package.json's. @internal */
export const VERSION = '0.1.0';

/** Instrumentation scope name of every tracer this package asks for. @internal */
export const SCOPE_NAME = 'kafkajs-tracing';

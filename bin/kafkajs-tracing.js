#!/usr/bin/env node
// `npx kafkajs-tracing trace <traceId>`: print a trace from Jaeger as a text waterfall.
'use strict';
require('../dist/harness/cli.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));

// Loads every entry with require() and runs the scenario.
'use strict';
const { traceOneMessage } = require('./scenario.cjs');

const middleware = require('kafkajs-tracing');
traceOneMessage('cjs', { middleware, setup: require('kafkajs-tracing/setup'), harness: require('kafkajs-tracing/harness'), sdk: require('@opentelemetry/sdk-trace') }).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

import { stringProperty, type ClientAdapter } from './client-adapter';

/**
 * kafkajs: the shapes the middleware was written for. Headers are a record already; `groupId` is a
 * consumer config property; a producer config has no client id (it belongs to `new Kafka()`). @internal
 */
export const kafkajsAdapter: ClientAdapter = {
  name: 'kafkajs',
  sendBatchCallsSend: false,
  instrumentationEvents: true,
  groupId: (config) => stringProperty(config, 'groupId'),
  clientId: () => undefined,
};

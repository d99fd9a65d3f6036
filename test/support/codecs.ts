// The compression codecs a kafkajs consumer needs for batches from clients that compress by default
// (franz-go: snappy), registered as the README's "Polyglot pipelines" section shows. kafkajs keeps
// codecs in one process-wide table, so registering is global.
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import LZ4Codec from 'kafkajs-lz4';

/** kafkajs's own entry for snappy (it throws KafkaJSNotImplemented), to put back in a missing-codec test. */
const builtInSnappy = CompressionCodecs[CompressionTypes.Snappy];

/** Registers snappy (kafkajs-snappy) and LZ4 (kafkajs-lz4) with kafkajs. */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
}

/** Puts kafkajs's built-in snappy entry back: as in a service that never registered the codec. */
export function unregisterSnappy(): void {
  CompressionCodecs[CompressionTypes.Snappy] = builtInSnappy;
}

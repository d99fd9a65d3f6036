// The compression codecs a kafkajs consumer needs for batches from clients that compress by default
// (franz-go: snappy), registered as the README's "Polyglot pipelines" section shows. kafkajs keeps
// codecs in one process-wide table, so registering is global.
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { compress as lz4Compress, decompress as lz4Decompress } from 'lz4js';

/** kafkajs's own entry for snappy (it throws KafkaJSNotImplemented), to put back in a missing-codec test. */
const builtInSnappy = CompressionCodecs[CompressionTypes.Snappy];

/**
 * kafkajs's LZ4 codec over lz4js (LZ4 frames in plain JavaScript): kafkajs-lz4 builds a native addon,
 * which would have to be rebuilt for every Node.js line the suite runs on.
 */
const LZ4Codec = () => ({
  compress: async (encoder: { buffer: Buffer }) => Buffer.from(lz4Compress(encoder.buffer)),
  decompress: async (buffer: Buffer) => Buffer.from(lz4Decompress(buffer)),
});

/** Registers snappy (kafkajs-snappy) and LZ4 (lz4js, as the README shows) with kafkajs. */
export function registerCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = LZ4Codec;
}

/** Puts kafkajs's built-in snappy entry back: as in a service that never registered the codec. */
export function unregisterSnappy(): void {
  CompressionCodecs[CompressionTypes.Snappy] = builtInSnappy;
}

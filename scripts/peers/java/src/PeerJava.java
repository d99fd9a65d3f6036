// A small Java service for the polyglot integration tests: kafka-clients wrapped by OpenTelemetry's
// KafkaTelemetry (opentelemetry-kafka-clients-2.6), exporting spans over OTLP/HTTP. It produces,
// consumes and forwards, driven by its arguments, and prints one JSON line per message it wrote or
// read, so a test can assert what crossed the wire.
//
//   peer-java produce --topic t [--count n] [--value v] [--baggage k=v,...] [--tracestate k=v,...]
//   peer-java consume --topic t --group g [--count n] [--forward-to t2]
//
// Common flags: --brokers (KAFKA_BROKERS), --service (service.name), --otlp (OTLP/HTTP base URL), --timeout-ms.
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.BaggageBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.instrumentation.kafkaclients.v2_6.KafkaTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class PeerJava {
  private final Map<String, String> opts = new HashMap<>();

  public static void main(String[] args) {
    if (args.length < 1 || !(args[0].equals("produce") || args[0].equals("consume"))) {
      fail("usage: peer-java produce|consume [--flag value ...]");
    }
    PeerJava peer = new PeerJava();
    for (int i = 1; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) fail("bad argument: " + args[i]);
      peer.opts.put(args[i].substring(2), args[++i]);
    }
    String env = System.getenv("KAFKA_BROKERS");
    peer.opts.putIfAbsent("brokers", env != null && !env.isEmpty() ? env : "127.0.0.1:9092");
    String otlp = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
    peer.opts.putIfAbsent("otlp", otlp != null && !otlp.isEmpty() ? otlp : "http://127.0.0.1:4318");
    peer.opts.putIfAbsent("service", "peer-java");
    peer.opts.putIfAbsent("count", "1");
    peer.opts.putIfAbsent("timeout-ms", "60000");
    if (!peer.opts.containsKey("topic") || (args[0].equals("consume") && !peer.opts.containsKey("group"))) {
      fail("--topic is required, and --group for consume");
    }

    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(peer.opts.get("otlp").replaceAll("/+$", "") + "/v1/traces").build();
    SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), peer.opts.get("service")))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(Duration.ofMillis(100)).build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
        .build();
    KafkaTelemetry telemetry = KafkaTelemetry.create(sdk);
    int status = 0;
    try {
      if (args[0].equals("produce")) peer.produce(sdk, telemetry);
      else peer.consume(telemetry);
    } catch (Exception e) {
      System.err.println("peer-java: " + e);
      status = 1;
    } finally {
      // Export what was recorded even when the run failed: the test reads it from Jaeger.
      tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
    }
    System.out.flush();
    System.exit(status);
  }

  private Producer<String, String> producer(KafkaTelemetry telemetry) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, opts.get("brokers"));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, opts.getOrDefault("compression", "none"));
    return telemetry.wrap(new KafkaProducer<String, String>(p));
  }

  /** Sends --count messages, each inside an application span of its own, with --baggage and --tracestate. */
  private void produce(OpenTelemetrySdk sdk, KafkaTelemetry telemetry) throws Exception {
    Tracer app = sdk.getTracer("peer-java");
    String topic = opts.get("topic");
    try (Producer<String, String> producer = producer(telemetry)) {
      for (int i = 0; i < Integer.parseInt(opts.get("count")); i++) {
        Span span = app.spanBuilder("produce " + topic).startSpan();
        try (Scope ignored = withBaggageAndState(Context.current().with(span)).makeCurrent()) {
          ProducerRecord<String, String> record =
              new ProducerRecord<>(topic, "java-" + i, opts.getOrDefault("value", "hello from java"));
          RecordMetadata md = producer.send(record).get(30, TimeUnit.SECONDS);
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("event", "produced");
          out.put("service", opts.get("service"));
          out.put("topic", md.topic());
          out.put("partition", md.partition());
          out.put("offset", md.offset());
          out.put("headers", headers(record.headers()));
          out.put("headerKeys", headerKeys(record.headers()));
          emit(out);
        } finally {
          span.end();
        }
      }
    }
  }

  /**
   * The requested baggage, and the requested tracestate on the current span's context (same span id,
   * so parents still resolve): the instrumentation's publish span inherits it.
   */
  private Context withBaggageAndState(Context ctx) {
    String bag = opts.get("baggage");
    if (bag != null) {
      BaggageBuilder b = Baggage.current().toBuilder();
      for (String kv : bag.split(",")) {
        String[] parts = kv.split("=", 2);
        b.put(parts[0].trim(), parts.length > 1 ? parts[1].trim() : "");
      }
      ctx = ctx.with(b.build());
    }
    String state = opts.get("tracestate");
    if (state != null) {
      TraceStateBuilder ts = TraceState.builder();
      for (String kv : state.split(",")) {
        String[] parts = kv.split("=", 2);
        ts.put(parts[0].trim(), parts.length > 1 ? parts[1].trim() : "");
      }
      SpanContext sc = Span.fromContext(ctx).getSpanContext();
      ctx = ctx.with(Span.wrap(SpanContext.create(sc.getTraceId(), sc.getSpanId(), sc.getTraceFlags(), ts.build())));
    }
    return ctx;
  }

  /** Reads --count messages from the start of --topic and forwards each to --forward-to inside its process span. */
  private void consume(KafkaTelemetry telemetry) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, opts.get("brokers"));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, opts.get("group"));
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    String forwardTo = opts.get("forward-to");
    int want = Integer.parseInt(opts.get("count"));
    long deadline = System.currentTimeMillis() + Long.parseLong(opts.get("timeout-ms"));
    int seen = 0;
    try (Consumer<String, String> consumer = telemetry.wrap(new KafkaConsumer<String, String>(p));
        Producer<String, String> producer = forwardTo == null ? null : producer(telemetry)) {
      consumer.subscribe(List.of(opts.get("topic")));
      while (seen < want) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("consumed " + seen + " of " + want + " messages before the timeout");
        }
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
        // Iterating the wrapped records opens each record's process span and makes it current.
        for (ConsumerRecord<String, String> record : records) {
          SpanContext sc = Span.current().getSpanContext();
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("event", "consumed");
          out.put("service", opts.get("service"));
          out.put("topic", record.topic());
          out.put("partition", record.partition());
          out.put("offset", record.offset());
          out.put("value", record.value());
          out.put("headers", headers(record.headers()));
          out.put("headerKeys", headerKeys(record.headers()));
          out.put("traceId", sc.getTraceId());
          out.put("spanId", sc.getSpanId());
          out.put("tracestate", traceState(sc.getTraceState()));
          Map<String, Object> bag = new LinkedHashMap<>();
          Baggage.current().forEach((k, v) -> bag.put(k, v.getValue()));
          out.put("baggage", bag);
          if (producer != null) {
            ProducerRecord<String, String> fwd = new ProducerRecord<>(forwardTo, record.key(), record.value());
            RecordMetadata md = producer.send(fwd).get(30, TimeUnit.SECONDS);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("topic", md.topic());
            f.put("offset", md.offset());
            f.put("headers", headers(fwd.headers()));
            out.put("forwarded", f);
          }
          emit(out);
          seen++;
        }
        consumer.commitSync();
      }
    }
  }

  private static String traceState(TraceState ts) {
    StringBuilder sb = new StringBuilder();
    ts.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ",").append(k).append('=').append(v));
    return sb.toString();
  }

  private static Map<String, Object> headers(Headers headers) {
    Map<String, Object> h = new LinkedHashMap<>();
    for (Header x : headers) h.put(x.key(), x.value() == null ? null : new String(x.value(), StandardCharsets.UTF_8));
    return h;
  }

  /** Header names in wire order, repeats included (the map above keeps only the last). */
  private static List<String> headerKeys(Headers headers) {
    List<String> keys = new ArrayList<>();
    for (Header x : headers) keys.add(x.key());
    return keys;
  }

  private static void emit(Map<String, Object> value) {
    System.out.println(json(value));
    System.out.flush();
  }

  // Just enough JSON for strings, numbers and nested maps: no JSON library to download.
  private static String json(Object v) {
    if (v == null) return "null";
    if (v instanceof Number || v instanceof Boolean) return v.toString();
    if (v instanceof List<?> l) {
      StringBuilder sb = new StringBuilder("[");
      for (Object x : l) sb.append(sb.length() > 1 ? "," : "").append(json(x));
      return sb.append(']').toString();
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder sb = new StringBuilder("{");
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (sb.length() > 1) sb.append(',');
        sb.append(json(String.valueOf(e.getKey()))).append(':').append(json(e.getValue()));
      }
      return sb.append('}').toString();
    }
    StringBuilder sb = new StringBuilder("\"");
    for (char c : v.toString().toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }

  private static void fail(String message) {
    System.err.println("peer-java: " + message);
    System.exit(2);
  }
}

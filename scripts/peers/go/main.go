// A small Go service for the polyglot integration tests: franz-go with its OpenTelemetry plugin kotel,
// exporting spans over OTLP/HTTP. It produces, consumes and forwards, driven by its arguments, and
// prints one JSON line per message it wrote or read, so a test can assert what crossed the wire.
//
//	peer-go produce --topic t [--count n] [--value v] [--baggage k=v,...] [--tracestate k=v,...] [--compression snappy|lz4|zstd|gzip|none]
//	peer-go consume --topic t --group g [--count n] [--forward-to t2] [--timeout-ms ms]
//
// Common flags: --brokers (KAFKA_BROKERS), --service (service.name), --otlp (OTLP/HTTP base URL).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kotel"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

type options struct {
	brokers, service, otlp           string
	topic, group, forwardTo          string
	value, baggage, tracestate, comp string
	count                            int
	timeoutMs                        int
}

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "produce" && os.Args[1] != "consume") {
		fail(errors.New("usage: peer-go produce|consume [flags]"))
	}
	cmd := os.Args[1]
	var o options
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	fs.StringVar(&o.brokers, "brokers", envOr("KAFKA_BROKERS", "127.0.0.1:9092"), "comma-separated bootstrap brokers")
	fs.StringVar(&o.service, "service", "peer-go", "service.name of the spans")
	fs.StringVar(&o.otlp, "otlp", envOr("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"), "OTLP/HTTP base URL")
	fs.StringVar(&o.topic, "topic", "", "topic to produce to or consume from")
	fs.StringVar(&o.group, "group", "", "consumer group")
	fs.StringVar(&o.forwardTo, "forward-to", "", "produce each consumed message to this topic, inside its process span")
	fs.StringVar(&o.value, "value", "hello from go", "message value")
	fs.StringVar(&o.baggage, "baggage", "", "W3C baggage members to send, k=v,k2=v2")
	fs.StringVar(&o.tracestate, "tracestate", "", "W3C tracestate to send, vendor=value,...")
	// franz-go sends a batch uncompressed when the codec would not make it smaller: tiny values stay plain.
	fs.StringVar(&o.comp, "compression", "snappy", "batch compression: snappy (franz-go's default), lz4, zstd, gzip, none")
	fs.IntVar(&o.count, "count", 1, "messages to produce, or to consume before exiting")
	fs.IntVar(&o.timeoutMs, "timeout-ms", 60000, "give up after this many milliseconds")
	_ = fs.Parse(os.Args[2:])
	if o.topic == "" || (cmd == "consume" && o.group == "") {
		fail(errors.New("--topic is required, and --group for consume"))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(o.timeoutMs)*time.Millisecond)
	defer cancel()
	tp, err := newTracerProvider(ctx, o)
	if err != nil {
		fail(err)
	}
	prop := propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(prop)
	tracer := kotel.NewTracer(kotel.TracerProvider(tp), kotel.TracerPropagator(prop), kotel.ConsumerGroup(o.group))

	if cmd == "produce" {
		err = produce(ctx, o, tp, tracer)
	} else {
		err = consume(ctx, o, tracer)
	}
	// Export what was recorded even when the run failed: the test reads it from Jaeger.
	flushCtx, flushCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer flushCancel()
	if shutdownErr := tp.Shutdown(flushCtx); shutdownErr != nil && err == nil {
		err = fmt.Errorf("exporting spans: %w", shutdownErr)
	}
	if err != nil {
		fail(err)
	}
}

func newTracerProvider(ctx context.Context, o options) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(strings.TrimRight(o.otlp, "/")+"/v1/traces"))
	if err != nil {
		return nil, err
	}
	res := resource.NewSchemaless(attribute.String("service.name", o.service))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(100*time.Millisecond)), sdktrace.WithResource(res)), nil
}

func newClient(o options, tracer *kotel.Tracer, extra ...kgo.Opt) (*kgo.Client, error) {
	k := kotel.NewKotel(kotel.WithTracer(tracer))
	// Auto-creation as the Java and Node clients get it, so a peer can write to a topic nobody created.
	opts := append([]kgo.Opt{kgo.SeedBrokers(strings.Split(o.brokers, ",")...), kgo.WithHooks(k.Hooks()...), kgo.AllowAutoTopicCreation()}, extra...)
	return kgo.NewClient(opts...)
}

// The batch codec a consumed record arrived with, by the attribute value Kafka uses.
var compressionNames = map[uint8]string{0: "none", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd"}

func compression(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "none":
		return kgo.NoCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("unknown compression %q", name)
}

// produce sends --count messages, each inside an application span of its own (a trace per message),
// carrying --baggage and --tracestate.
func produce(ctx context.Context, o options, tp trace.TracerProvider, tracer *kotel.Tracer) error {
	codec, err := compression(o.comp)
	if err != nil {
		return err
	}
	cl, err := newClient(o, tracer, kgo.ProducerBatchCompression(codec))
	if err != nil {
		return err
	}
	defer cl.Close()
	app := tp.Tracer("peer-go")
	for i := 0; i < o.count; i++ {
		msgCtx, span := app.Start(ctx, "produce "+o.topic)
		if msgCtx, err = withBaggageAndState(msgCtx, o); err != nil {
			span.End()
			return err
		}
		rec := &kgo.Record{Topic: o.topic, Key: []byte(fmt.Sprintf("go-%d", i)), Value: []byte(o.value), Context: msgCtx}
		err = cl.ProduceSync(msgCtx, rec).FirstErr()
		span.End()
		if err != nil {
			return err
		}
		emit(map[string]any{"event": "produced", "service": o.service, "topic": rec.Topic, "partition": rec.Partition,
			"offset": rec.Offset, "traceId": trace.SpanContextFromContext(rec.Context).TraceID().String(),
			"spanId": trace.SpanContextFromContext(rec.Context).SpanID().String(), "headers": headers(rec), "headerKeys": headerKeys(rec)})
	}
	return nil
}

// withBaggageAndState puts the requested baggage in ctx, and the requested tracestate on the current
// span's context (the same span id, so parents still resolve): kotel's publish span inherits it.
func withBaggageAndState(ctx context.Context, o options) (context.Context, error) {
	if o.baggage != "" {
		b, err := baggage.Parse(o.baggage)
		if err != nil {
			return ctx, fmt.Errorf("--baggage: %w", err)
		}
		ctx = baggage.ContextWithBaggage(ctx, b)
	}
	if o.tracestate != "" {
		ts, err := trace.ParseTraceState(o.tracestate)
		if err != nil {
			return ctx, fmt.Errorf("--tracestate: %w", err)
		}
		ctx = trace.ContextWithSpanContext(ctx, trace.SpanContextFromContext(ctx).WithTraceState(ts))
	}
	return ctx, nil
}

// consume reads --count messages from the start of --topic, each in a kotel process span, and forwards
// each one to --forward-to from inside that span.
func consume(ctx context.Context, o options, tracer *kotel.Tracer) error {
	cl, err := newClient(o, tracer, kgo.ConsumerGroup(o.group), kgo.ConsumeTopics(o.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		return err
	}
	defer cl.Close()
	seen := 0
	for seen < o.count {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return fmt.Errorf("consumed %d of %d messages before the timeout", seen, o.count)
		}
		if errs := fetches.Errors(); len(errs) > 0 {
			return fmt.Errorf("fetch: %v", errs[0].Err)
		}
		for _, rec := range fetches.Records() {
			if err := handle(ctx, o, cl, tracer, rec); err != nil {
				return err
			}
			seen++
		}
		if err := cl.CommitUncommittedOffsets(ctx); err != nil {
			return err
		}
	}
	return nil
}

func handle(ctx context.Context, o options, cl *kgo.Client, tracer *kotel.Tracer, rec *kgo.Record) error {
	// The consumer's own headers, before kotel's process span or a forward adds anything.
	received, receivedKeys := headers(rec), headerKeys(rec)
	pctx, span := tracer.WithProcessSpan(rec)
	defer span.End()
	sc := span.SpanContext()
	members := map[string]string{}
	for _, m := range baggage.FromContext(pctx).Members() {
		members[m.Key()] = m.Value()
	}
	out := map[string]any{"event": "consumed", "service": o.service, "topic": rec.Topic, "partition": rec.Partition,
		"offset": rec.Offset, "value": string(rec.Value), "headers": received, "headerKeys": receivedKeys,
		"compression": compressionNames[rec.Attrs.CompressionType()], "traceId": sc.TraceID().String(),
		"spanId": sc.SpanID().String(), "tracestate": sc.TraceState().String(), "baggage": members}
	if o.forwardTo != "" {
		fwd := &kgo.Record{Topic: o.forwardTo, Key: rec.Key, Value: rec.Value, Context: pctx}
		if err := cl.ProduceSync(pctx, fwd).FirstErr(); err != nil {
			return err
		}
		out["forwarded"] = map[string]any{"topic": fwd.Topic, "offset": fwd.Offset, "headers": headers(fwd)}
	}
	emit(out)
	return nil
}

func headers(r *kgo.Record) map[string]string {
	h := make(map[string]string, len(r.Headers))
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	return h
}

// headerKeys lists header names in wire order, repeats included (the map above keeps only the last).
func headerKeys(r *kgo.Record) []string {
	keys := make([]string, len(r.Headers))
	for i, x := range r.Headers {
		keys[i] = x.Key
	}
	return keys
}

func emit(v map[string]any) {
	line, _ := json.Marshal(v)
	fmt.Println(string(line))
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "peer-go:", err)
	os.Exit(1)
}

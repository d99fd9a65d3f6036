// The OTLP trace request and response as protobuf schema, written here from opentelemetry-proto
// (trace/v1/trace.proto, common/v1/common.proto, resource/v1/resource.proto,
// collector/trace/v1/trace_service.proto at ac2c4b5, August 2026): field numbers and types as there,
// all in one package (names do not reach the wire). Decoding a body with protobufjs and this schema
// is independent of both encoders under test.
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
package otlp;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
    int32 string_value_strindex = 8;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; int32 key_strindex = 3; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message EntityRef { string schema_url = 1; string type = 2; repeated string id_keys = 3; repeated string description_keys = 4; }
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated EntityRef entity_refs = 3;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0;
    SPAN_KIND_INTERNAL = 1;
    SPAN_KIND_SERVER = 2;
    SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4;
    SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1;
    string name = 2;
    repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1;
    bytes span_id = 2;
    string trace_state = 3;
    repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; }
  StatusCode code = 3;
}
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
`;

const root = protobuf.parse(SCHEMA, { keepCase: true }).root;
const request = root.lookupType('otlp.ExportTraceServiceRequest');
const response = root.lookupType('otlp.ExportTraceServiceResponse');

/** A decoded message as plain data: 64-bit integers as decimal strings, bytes as hex, enums as numbers, every field present. */
export type Decoded = Record<string, unknown>;

const AS_PLAIN: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: String, defaults: true, arrays: true, oneofs: true };

/** Bytes fields come out as base64 from protobufjs; ids read better in hex. */
function hexBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexBytes);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = /(_id|bytes_value)$/.test(k) && typeof v === 'string' ? Buffer.from(v, 'base64').toString('hex') : hexBytes(v);
    }
    return out;
  }
  return value;
}

/** Decodes an `ExportTraceServiceRequest` body; throws on anything that is not valid protobuf of it. */
export function decodeTraceRequest(body: Uint8Array): Decoded {
  return hexBytes(request.toObject(request.decode(body), AS_PLAIN)) as Decoded;
}

/** Encodes an `ExportTraceServiceResponse` with a partial success (what a collector answers). */
export function encodePartialSuccess(rejectedSpans: number, errorMessage: string): Buffer {
  return Buffer.from(response.encode(response.fromObject({ partial_success: { rejected_spans: rejectedSpans, error_message: errorMessage } })).finish());
}

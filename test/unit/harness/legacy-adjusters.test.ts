// The legacy query service's adjusters, as applied to spans converted from /api/v3.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adjustLikeLegacy } from '../../../src/harness/legacy-adjusters';
import type { JaegerSpan } from '../../../src/harness/index';

const T = '5b8efff798038103d269b633813fc60c';
function span(extra: Partial<JaegerSpan>): JaegerSpan {
  return { traceID: T, spanID: '1111111111111111', operationName: 'op', startTime: 1, duration: 1, processID: '', references: [], tags: [], logs: [], ...extra };
}

describe('legacy adjusters', () => {
  it('sorts tags by key, then type (string, bool, int64, float64, binary), then value', () => {
    const { span: s, process } = adjustLikeLegacy(
      span({ tags: [{ key: 'b', type: 'int64', value: 2 }, { key: 'b', type: 'string', value: 'z' }, { key: 'B', type: 'string', value: 'x' }, { key: 'b', type: 'int64', value: 1 }, { key: 'a', type: 'bool', value: true }] }),
      { serviceName: 's', tags: [{ key: 'z', type: 'string', value: '1' }, { key: 'host.name', type: 'string', value: 'h' }] },
    );
    assert.deepEqual(s.tags?.map((t) => `${t.key}:${t.type}:${String(t.value)}`), ['B:string:x', 'a:bool:true', 'b:string:z', 'b:int64:1', 'b:int64:2']);
    assert.deepEqual(process.tags.map((t) => t.key), ['host.name', 'z']);
  });

  it('puts the event field first in a log and sorts the rest', () => {
    const { span: s } = adjustLikeLegacy(span({ logs: [{ timestamp: 1, fields: [{ key: 'z', type: 'string', value: '1' }, { key: 'event', type: 'string', value: 'e' }, { key: 'a', type: 'string', value: '2' }] }] }), { serviceName: 's', tags: [] });
    assert.deepEqual(s.logs?.[0]?.fields.map((f) => f.key), ['event', 'a', 'z']);
  });

  it('writes integer ip tags as dotted quads and moves SDK tags to the process', () => {
    const { span: s, process } = adjustLikeLegacy(
      span({ tags: [{ key: 'peer.ipv4', type: 'int64', value: 3232235777 }, { key: 'telemetry.sdk.name', type: 'string', value: 'opentelemetry' }] }),
      { serviceName: 's', tags: [{ key: 'ip', type: 'int64', value: 2130706433 }] },
    );
    assert.deepEqual(s.tags, [{ key: 'peer.ipv4', type: 'string', value: '192.168.1.1' }]);
    assert.deepEqual(process.tags, [
      { key: 'ip', type: 'string', value: '127.0.0.1' },
      { key: 'telemetry.sdk.name', type: 'string', value: 'opentelemetry' },
    ]);
  });

  it('drops references without a trace id and puts the parent first', () => {
    const { span: s } = adjustLikeLegacy(
      span({
        references: [
          { refType: 'FOLLOWS_FROM', traceID: 'abcdef0123456789', spanID: '00000000000000a1' },
          { refType: 'CHILD_OF', traceID: '0000000000000000', spanID: '00000000000000a2' },
          { refType: 'FOLLOWS_FROM', traceID: T, spanID: '00000000000000a3' },
        ],
      }),
      { serviceName: 's', tags: [] },
    );
    assert.deepEqual(s.references?.map((r) => `${r.refType}:${r.spanID}`), ['FOLLOWS_FROM:00000000000000a3', 'FOLLOWS_FROM:00000000000000a1'], 'no CHILD_OF in the trace: its first reference there leads');
  });
});

#!/usr/bin/env bash
# The collector tier on 127.0.0.1, from the project's Jaeger binary (Jaeger v2 is an OpenTelemetry
# Collector distribution; its build includes tail_sampling and the kafka exporter and receiver):
#
#   services --OTLP--> gateway Jaeger (tail sampling) --> Kafka topic jaeger-spans --> ingester Jaeger
#   (storage, query API :26686)
#
#   bash scripts/collector-tier/tier.sh up      start both (Kafka must be running: the local cluster by default)
#   bash scripts/collector-tier/tier.sh down    stop both
#   bash scripts/collector-tier/tier.sh status  each one's health
#   bash scripts/collector-tier/tier.sh clean   down, then delete the ingester's stored spans
#   bash scripts/collector-tier/tier.sh stop|start gateway|ingester   one of them (the tier's fault tests)
#
# Ports: gateway OTLP gRPC 24317 / HTTP 24318, health 24133, metrics 24888; ingester query HTTP 26686 /
# gRPC 26685, health 26133, metrics 26888. TIER_KAFKA_BROKERS (comma-separated) names the Kafka to use,
# default the cluster of `infra.sh --brokers 3`. Data, logs and pid files: .cache/cluster/tier/.
# TIER_GATEWAY_CONFIG / TIER_INGESTER_CONFIG: other configuration templates (same placeholders).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${INFRA_CACHE_DIR:-$ROOT/.cache}
DIR=${TIER_DIR:-$CACHE/cluster/tier}
JAEGER_BIN=$CACHE/jaeger-v1.76.0/jaeger
BROKERS=${TIER_KAFKA_BROKERS:-127.0.0.1:19092,127.0.0.1:19192,127.0.0.1:19292}
READY_TIMEOUT_S=${INFRA_READY_TIMEOUT_S:-90}
mkdir -p "$DIR/run" "$DIR/logs"

say() { printf 'tier: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

health_url() { case "$1" in gateway) echo http://127.0.0.1:24133/status ;; ingester) echo http://127.0.0.1:26133/status ;; esac; }
template() { case "$1" in gateway) echo "${TIER_GATEWAY_CONFIG:-$ROOT/scripts/collector-tier/gateway.yaml}" ;; ingester) echo "${TIER_INGESTER_CONFIG:-$ROOT/scripts/collector-tier/ingester.yaml}" ;; esac; }
alive() { local f=$DIR/run/$1.pid; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

config() {
  local name=$1 conf=$DIR/$1.yaml list
  list="[$(echo "$BROKERS" | sed 's/,/, /g')]"
  mkdir -p "$DIR/badger/keys" "$DIR/badger/values"
  sed -e "s#@BROKERS@#$list#g" -e "s#@BADGER_DIR@#$DIR/badger#g" "$(template "$name")" >"$conf"
  echo "$conf"
}

start_one() {
  local name=$1
  alive "$name" && return 0
  [ -x "$JAEGER_BIN" ] || bash "$ROOT/scripts/infra.sh" build >&2 || die "no Jaeger binary at $JAEGER_BIN"
  local conf; conf=$(config "$name")
  say "starting the $name Jaeger (config $conf; log $DIR/logs/$name.log)"
  rm -f "$DIR/run/$name.pid"
  # Jaeger traces itself over OTLP to 127.0.0.1:4317 by default: that is the single Jaeger's port (another
  # run's), so its own spans are sampled away and the exporter pointed at a port of this tier's range.
  OTEL_TRACES_SAMPLER=always_off OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:26317 OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:26317 \
    setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$DIR/run/$name.pid" "$JAEGER_BIN" --config "$conf" >>"$DIR/logs/$name.log" 2>&1 </dev/null
  for _ in $(seq 1 50); do [ -s "$DIR/run/$name.pid" ] && break; sleep 0.1; done
  local t0=$SECONDS
  until node "$ROOT/scripts/wait-ready.mjs" jaeger "$(health_url "$name")" 1 2>/dev/null; do
    if ! alive "$name" || ((SECONDS - t0 > READY_TIMEOUT_S)); then
      tail -20 "$DIR/logs/$name.log" >&2 || true
      die "the $name did not pass its health check; log: $DIR/logs/$name.log"
    fi
  done
}

# SIGTERM: the collector shuts down its pipeline in order (receivers first, exporters last).
stop_one() {
  local name=$1 f=$DIR/run/$1.pid pid
  alive "$name" || { rm -f "$f"; return 0; }
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || { rm -f "$f"; return 0; }; sleep 0.1; done
  say "the $name did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$f"
}

check() { case "${1:-}" in gateway | ingester) ;; *) die "usage: tier.sh stop|start gateway|ingester" ;; esac; }

case "${1:-status}" in
  up) start_one ingester; start_one gateway ;;
  down) stop_one gateway; stop_one ingester ;;
  clean) stop_one gateway; stop_one ingester; rm -rf "$DIR/badger" ;;
  stop) check "${2:-}"; stop_one "$2" ;;
  start) check "${2:-}"; start_one "$2" ;;
  status)
    ok=0
    for name in gateway ingester; do
      if node "$ROOT/scripts/wait-ready.mjs" jaeger "$(health_url "$name")" 0 2>/dev/null; then echo "$name: up   $(health_url "$name")"; else echo "$name: down $(health_url "$name")"; ok=1; fi
    done
    echo "kafka: $BROKERS (topic jaeger-spans); query API http://127.0.0.1:26686"
    exit $ok
    ;;
  *) die "unknown command '$1' (use: up, down, status, clean, stop, start)" ;;
esac

#!/usr/bin/env bash
# Real Apache Kafka (KRaft, single node) and real Jaeger v2 (all-in-one, Badger storage, with the
# Jaeger UI) on 127.0.0.1, built from Maven Central, the Go module proxy and the Jaeger UI's source
# release (+ the npm registry) into .cache/ (git-ignored), without Docker.
#
#   bash scripts/infra.sh up       build what is missing, start what is not running, wait until ready
#   bash scripts/infra.sh down     stop what this script started (TERM, then KILL after a grace period)
#   bash scripts/infra.sh status   exit 0 when both answer, 1 otherwise; says where Jaeger keeps its data
#   bash scripts/infra.sh build    only fetch/build the artifacts (no start)
#   bash scripts/infra.sh clean    down, then delete Kafka's and Jaeger's data (keeps what was built)
#   bash scripts/infra.sh stop|start kafka|jaeger   one service (used by the fault-injection tests)
#
# Cluster mode: `--brokers N` before the command (npm run infra:up -- --brokers 3) or KAFKA_BROKERS_COUNT=N
# with N > 1 runs an N-node KRaft cluster instead of the single broker (Kafka only, no Jaeger; ports
# 19092/19192/19292, controllers 19093/19193/19293, replication factor 3, min ISR 2; data in .cache/cluster/;
# see scripts/kafka/cluster.sh). `status` then lists each broker and each topic's partition leaders;
# `stop N` / `kill N` (SIGKILL) / `start N` act on node N.
#
# KAFKA_BROKERS set: Kafka is external, nothing is started for it. JAEGER_QUERY_URL set: same for Jaeger.
# That is how users of `docker compose -f jaeger-compose.yml up -d` run the same tests and examples.
# JAEGER_UI_SOURCE=/path/to/jaeger-ui-v1.74.0.tar.gz: build the UI from that copy of its source release.
# JAEGER_DATA_DIR: where Jaeger's Badger store lives (default .cache/jaeger-data; kept across restarts).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${INFRA_CACHE_DIR:-$ROOT/.cache}
LOGS=$CACHE/logs
RUN=$CACHE/run
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_VERSION=4.1.1
KAFKA_HOME=$CACHE/kafka-$KAFKA_VERSION
JAEGER_VERSION=v1.76.0 # the Go module tag of Jaeger v2.13.0 (see scripts/jaeger/go.mod)
JAEGER_BIN=$CACHE/jaeger-$JAEGER_VERSION/jaeger
JAEGER_HEALTH_URL=http://127.0.0.1:13133/status
JAEGER_UI_VERSION=v1.74.0 # the newest Jaeger UI that builds with npm on Node 20
JAEGER_UI_DIR=$CACHE/jaeger-ui-$JAEGER_UI_VERSION
JAEGER_UI_ASSETS=$JAEGER_UI_DIR/build
JAEGER_DATA=${JAEGER_DATA_DIR:-$CACHE/jaeger-data}
READY_TIMEOUT_S=${INFRA_READY_TIMEOUT_S:-90}

# `--brokers N` may come before or after the command.
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --brokers) KAFKA_BROKERS_COUNT=${2:?--brokers needs a number}; shift 2 ;;
    --brokers=*) KAFKA_BROKERS_COUNT=${1#--brokers=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"

mkdir -p "$LOGS" "$RUN"

say() { printf 'infra: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# Runs a long build step with a line at least every 15 s saying what is being built and for how long,
# so a first run is never minutes of silence. The step's own output goes to its log.
#   with_progress <what> <log> <command...>
with_progress() {
  local what=$1 log=$2; shift 2
  local t0=$SECONDS last=$SECONDS pid rc=0 e
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= 15)); then
      last=$SECONDS e=$((SECONDS - t0))
      say "still building $what: $((e / 60))m$(printf '%02d' $((e % 60)))s elapsed"
    fi
  done
  wait "$pid" || rc=$?
  e=$((SECONDS - t0))
  [ "$rc" = 0 ] && say "built $what in $((e / 60))m$(printf '%02d' $((e % 60)))s"
  return "$rc"
}

need() {
  local cmd=$1 why=$2
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed; it is needed to $why. Install it, or point KAFKA_BROKERS / JAEGER_QUERY_URL at running services (see README)."
}

kafka_external() { [ -n "${KAFKA_BROKERS:-}" ]; }
jaeger_external() { [ -n "${JAEGER_QUERY_URL:-}" ]; }

pid_alive() { local f=$1; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# Starts a service detached in a session of its own (so Ctrl-C in the caller's terminal and the
# caller's exit leave it alone); the pid file holds the service's own pid, since bash execs into it.
spawn() {
  local name=$1 log=$2; shift 2
  rm -f "$RUN/$name.pid"
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$RUN/$name.pid" "$@" >"$log" 2>&1 </dev/null
  for _ in $(seq 1 50); do [ -s "$RUN/$name.pid" ] && return 0; sleep 0.1; done
  die "$name did not start; log: $log"
}

# ---------- Kafka ----------

kafka_build() {
  [ -f "$KAFKA_HOME/libs/.complete" ] && return 0
  need java "run the Kafka broker"
  need mvn "download Kafka's jars from Maven Central"
  say "first run: resolving Apache Kafka $KAFKA_VERSION from Maven Central into .cache/ (once; log: $LOGS/kafka-build.log)"
  rm -rf "$KAFKA_HOME/libs"
  : >"$LOGS/kafka-build.log"
  if ! with_progress "Kafka (Maven)" "$LOGS/kafka-build.log" mvn -B -q -f "$ROOT/scripts/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs"; then
    tail -20 "$LOGS/kafka-build.log" >&2
    die "Maven could not resolve Kafka's jars; full log: $LOGS/kafka-build.log"
  fi
  touch "$KAFKA_HOME/libs/.complete"
}

# JVM flags as in Kafka's bin/kafka-run-class.sh, with a heap that suits a small machine.
KAFKA_JVM=(java -Xms${KAFKA_HEAP:-512m} -Xmx${KAFKA_HEAP:-512m} -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.yaml" -Dkafka.logs.dir="$LOGS"
  -cp "$KAFKA_HOME/libs/*")

kafka_config() {
  local conf=$KAFKA_HOME/server.properties
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
      -e "s#@DATA_DIR@#$KAFKA_HOME/data#g" "$ROOT/scripts/kafka/server.properties" >"$conf"
  echo "$conf"
}

kafka_ready() { node "$ROOT/scripts/wait-ready.mjs" kafka "127.0.0.1:$KAFKA_PORT" "${1:-0}"; }

kafka_up() {
  if kafka_external; then say "Kafka: using KAFKA_BROKERS=$KAFKA_BROKERS"; return 0; fi
  if pid_alive "$RUN/kafka.pid"; then return 0; fi
  if kafka_ready 0 2>/dev/null; then say "Kafka: something already answers on 127.0.0.1:$KAFKA_PORT; using it"; return 0; fi
  kafka_build
  local conf; conf=$(kafka_config)
  if [ ! -f "$KAFKA_HOME/cluster-id" ]; then
    # 16 random bytes, base64url without padding: the 22-character id Kafka's storage tool expects.
    # Redrawn while it starts with '-' (1 draw in 64), as Kafka's own Uuid.randomUuid does: the tool's
    # argument parser would read such an id as an option and refuse to format.
    node -e "const c=require('crypto');let id;do{id=c.randomBytes(16).toString('base64url')}while(id.startsWith('-'));process.stdout.write(id)" >"$KAFKA_HOME/cluster-id"
  fi
  if ! "${KAFKA_JVM[@]}" kafka.tools.StorageTool format --cluster-id="$(cat "$KAFKA_HOME/cluster-id")" -c "$conf" \
      --ignore-formatted >"$LOGS/kafka-format.log" 2>&1; then
    cat "$LOGS/kafka-format.log" >&2
    die "Kafka's storage tool failed; log: $LOGS/kafka-format.log"
  fi
  say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $LOGS/kafka.log)"
  spawn kafka "$LOGS/kafka.log" "${KAFKA_JVM[@]}" kafka.Kafka "$conf"
}

kafka_wait() {
  kafka_external && return 0
  if ! kafka_ready "$READY_TIMEOUT_S"; then
    tail -30 "$LOGS/kafka.log" >&2 || true
    die "Kafka did not answer a metadata request within ${READY_TIMEOUT_S}s; log: $LOGS/kafka.log"
  fi
}

# ---------- Jaeger ----------

jaeger_build() {
  [ -x "$JAEGER_BIN" ] && return 0
  need go "build Jaeger from the Go module proxy"
  say "first run: building Jaeger (module $JAEGER_VERSION) with go build into .cache/: several minutes, once (log: $LOGS/jaeger-build.log)"
  mkdir -p "$(dirname "$JAEGER_BIN")"
  # GOSUMDB=off: the checksum database is not reachable here; scripts/jaeger/go.sum pins every hash instead.
  : >"$LOGS/jaeger-build.log"
  if ! with_progress "Jaeger (go build)" "$LOGS/jaeger-build.log" bash -c 'cd "$0" && exec "$@"' "$ROOT/scripts/jaeger" env CGO_ENABLED=0 GOSUMDB=off GOFLAGS=-mod=readonly \
      go build -trimpath -ldflags "-s -w" -o "$JAEGER_BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger; then
    tail -20 "$LOGS/jaeger-build.log" >&2
    die "could not build Jaeger; full log: $LOGS/jaeger-build.log"
  fi
  mv "$JAEGER_BIN.tmp" "$JAEGER_BIN"
}

# The UI is optional: without a source archive Jaeger still serves the query API (what the harness,
# the tests and `npx kafkajs-tracing trace <id>` use), and this says once what to do for the UI.
ui_build() {
  [ -f "$JAEGER_UI_ASSETS/index.html" ] && return 0
  need npm "build the Jaeger UI"
  say "first run: building the Jaeger UI $JAEGER_UI_VERSION from its source release into .cache/ (once; log: $LOGS/jaeger-ui-build.log)"
  local rc=0
  with_progress "the Jaeger UI (npm install + vite build)" "$LOGS/jaeger-ui-build.out" \
    bash "$ROOT/scripts/jaeger-ui/build.sh" "$JAEGER_UI_DIR" "$LOGS/jaeger-ui-build.log" || rc=$?
  cat "$LOGS/jaeger-ui-build.out" >&2
  rm -f "$LOGS/jaeger-ui-build.out"
  if [ "$rc" = 3 ]; then
    say "so Jaeger runs WITHOUT its web UI; the query API, the demo's text traces and \`npx kafkajs-tracing trace <id>\` work."
    say "For the UI: download https://github.com/jaegertracing/jaeger-ui/archive/refs/tags/$JAEGER_UI_VERSION.tar.gz and run"
    say "  npm run infra:down && JAEGER_UI_SOURCE=/path/to/jaeger-ui-$JAEGER_UI_VERSION.tar.gz npm run infra:up"
  elif [ "$rc" != 0 ]; then
    tail -20 "$LOGS/jaeger-ui-build.log" >&2 || true
    say "the Jaeger UI build failed (log: $LOGS/jaeger-ui-build.log); Jaeger will run without its web UI"
  fi
  return 0
}

jaeger_config() {
  local conf=$CACHE/jaeger-config.yaml ui=(-e "s#@UI_ASSETS@#$JAEGER_UI_ASSETS#g")
  [ -f "$JAEGER_UI_ASSETS/index.html" ] || ui=(-e '/# @UI@$/d')
  mkdir -p "$JAEGER_DATA/keys" "$JAEGER_DATA/values"
  sed "${ui[@]}" -e "s#@BADGER_DIR@#$JAEGER_DATA#g" "$ROOT/scripts/jaeger/config.yaml" >"$conf"
  echo "$conf"
}

jaeger_ready() { node "$ROOT/scripts/wait-ready.mjs" jaeger "$JAEGER_HEALTH_URL" "${1:-0}"; }

jaeger_up() {
  if jaeger_external; then say "Jaeger: using JAEGER_QUERY_URL=$JAEGER_QUERY_URL"; return 0; fi
  if pid_alive "$RUN/jaeger.pid"; then return 0; fi
  if jaeger_ready 0 2>/dev/null; then say "Jaeger: something already answers on $JAEGER_HEALTH_URL; using it"; return 0; fi
  jaeger_build
  local conf; conf=$(jaeger_config)
  local ui="UI http://127.0.0.1:16686"
  [ -f "$JAEGER_UI_ASSETS/index.html" ] || ui="no UI"
  say "starting Jaeger on 127.0.0.1 ($ui, query :16686, collector :14268, OTLP :4317/:4318; data: $JAEGER_DATA; log: $LOGS/jaeger.log)"
  spawn jaeger "$LOGS/jaeger.log" "$JAEGER_BIN" --config "$conf"
}

jaeger_wait() {
  jaeger_external && return 0
  if ! jaeger_ready "$READY_TIMEOUT_S"; then
    tail -30 "$LOGS/jaeger.log" >&2 || true
    die "Jaeger's health check did not pass within ${READY_TIMEOUT_S}s; log: $LOGS/jaeger.log"
  fi
}

# Builds what is missing, in parallel (Maven, go build and the UI's npm/vite build are independent).
build_all() {
  local pids=() rc=0
  if ! kafka_external; then kafka_build & pids+=($!); fi
  if ! jaeger_external; then
    jaeger_build & pids+=($!)
    ui_build & pids+=($!)
  fi
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  [ "$rc" = 0 ] || die "a build step failed (see above)"
}

# ---------- stop ----------

stop_pid() {
  local name=$1 file=$RUN/$1.pid grace=${2:-30}
  pid_alive "$file" || { rm -f "$file"; return 0; }
  local pid; pid=$(cat "$file")
  # Each service runs in its own session (setsid): signal the whole process group.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
    sleep 0.1
  done
  say "$name did not stop within ${grace}s; killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

# ---------- commands ----------

cmd=${1:-status}
if [ "${KAFKA_BROKERS_COUNT:-1}" != 1 ]; then
  # shellcheck source=kafka/cluster.sh
  . "$ROOT/scripts/kafka/cluster.sh"
  cluster_cmd "$cmd" "${2:-}"
  exit $?
fi
case "$cmd" in
  build)
    build_all
    ;;
  up)
    need node "check readiness"
    # Build everything before starting anything, so a slow first build does not leave a half-started pair.
    build_all
    kafka_up
    jaeger_up
    kafka_wait
    jaeger_wait
    ;;
  down)
    stop_pid jaeger 15
    stop_pid kafka 45
    ;;
  clean)
    stop_pid jaeger 15
    stop_pid kafka 45
    rm -rf "$KAFKA_HOME/data" "$KAFKA_HOME/cluster-id" "$JAEGER_DATA"
    ;;
  stop)
    # Stop one service (fault-injection tests): bash scripts/infra.sh stop kafka|jaeger
    case "${2:-}" in
      kafka) stop_pid kafka 45 ;;
      jaeger) stop_pid jaeger 15 ;;
      *) die "usage: infra.sh stop kafka|jaeger" ;;
    esac
    ;;
  start)
    need node "check readiness"
    case "${2:-}" in
      kafka) kafka_build; kafka_up; kafka_wait ;;
      jaeger) jaeger_build; jaeger_up; jaeger_wait ;;
      *) die "usage: infra.sh start kafka|jaeger" ;;
    esac
    ;;
  status)
    ok=0
    if kafka_external; then k="external ($KAFKA_BROKERS)"; else k="127.0.0.1:$KAFKA_PORT"; fi
    if kafka_external || kafka_ready 0 2>/dev/null; then echo "kafka:  up   $k"; else echo "kafka:  down $k"; ok=1; fi
    if jaeger_external; then
      echo "jaeger: external ($JAEGER_QUERY_URL)"
    elif jaeger_ready 0 2>/dev/null; then echo "jaeger: up   $JAEGER_HEALTH_URL"; else echo "jaeger: down $JAEGER_HEALTH_URL"; ok=1; fi
    if ! jaeger_external; then
      if [ -d "$JAEGER_DATA" ]; then size=$(du -sh "$JAEGER_DATA" | cut -f1); else size="none yet"; fi
      echo "jaeger data (Badger, spans kept 72h): $JAEGER_DATA ($size)"
      if [ -f "$JAEGER_UI_ASSETS/index.html" ]; then echo "jaeger UI $JAEGER_UI_VERSION: http://127.0.0.1:16686 (assets: $JAEGER_UI_ASSETS)"
      else echo "jaeger UI: not built (set JAEGER_UI_SOURCE, see README); Jaeger serves the query API only"; fi
    fi
    exit $ok
    ;;
  *)
    die "unknown command '$cmd' (use: up, down, status, build, clean, stop, start)"
    ;;
esac

# Cluster mode of scripts/infra.sh (sourced by it): N Kafka nodes (default 3) on 127.0.0.1, each broker and
# controller, from the same jars as the single broker, with ports and data of their own so a cluster run
# never meets the single broker (9092/9093) of another run.
#
#   node i (1..N): client port KAFKA_CLUSTER_PORT + 100*(i-1)   (default 19092, 19192, 19292)
#                  controller  KAFKA_CLUSTER_PORT + 1 + 100*(i-1) (19093, 19193, 19293)
#   data, logs and pid files: .cache/cluster/ (KAFKA_CLUSTER_DIR)
#
# Expects from infra.sh: ROOT CACHE KAFKA_HOME KAFKA_VERSION READY_TIMEOUT_S say die spawn_in kafka_build.

CLUSTER_N=${KAFKA_BROKERS_COUNT:-3}
CLUSTER_DIR=${KAFKA_CLUSTER_DIR:-$CACHE/cluster}
CLUSTER_PORT=${KAFKA_CLUSTER_PORT:-19092}
CLUSTER_RUN=$CLUSTER_DIR/run
CLUSTER_LOGS=$CLUSTER_DIR/logs

cluster_port() { echo $((CLUSTER_PORT + 100 * ($1 - 1))); }
cluster_controller_port() { echo $((CLUSTER_PORT + 1 + 100 * ($1 - 1))); }
cluster_nodes() { seq 1 "$CLUSTER_N"; }
cluster_bootstrap() {
  local out=() i
  for i in $(cluster_nodes); do out+=("127.0.0.1:$(cluster_port "$i")"); done
  (IFS=,; echo "${out[*]}")
}
cluster_pidfile() { echo "$CLUSTER_RUN/kafka-$1.pid"; }

cluster_check_node() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$CLUSTER_N" ] || die "no node '$1' (the cluster has nodes 1..$CLUSTER_N)"
}

cluster_config() {
  local i=$1 voters=() j
  for j in $(cluster_nodes); do voters+=("$j@127.0.0.1:$(cluster_controller_port "$j")"); done
  local conf=$CLUSTER_DIR/node-$i.properties
  sed -e "s#@NODE_ID@#$i#g" -e "s#@VOTERS@#$(IFS=,; echo "${voters[*]}")#g" \
      -e "s#@PORT@#$(cluster_port "$i")#g" -e "s#@CONTROLLER_PORT@#$(cluster_controller_port "$i")#g" \
      -e "s#@DATA_DIR@#$CLUSTER_DIR/data-$i#g" "$ROOT/scripts/kafka/cluster.properties" >"$conf"
  echo "$conf"
}

# JVM of one node: the single broker's flags, a smaller heap (three of them share a small machine).
cluster_jvm() {
  local heap=${KAFKA_HEAP:-384m}
  echo java -Xms$heap -Xmx$heap -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka/log4j2.yaml" -Dkafka.logs.dir="$CLUSTER_LOGS"
}

cluster_node_up() {
  local i=$1 pidfile; pidfile=$(cluster_pidfile "$i")
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
  local conf; conf=$(cluster_config "$i")
  # shellcheck disable=SC2207
  local jvm=($(cluster_jvm))
  if ! "${jvm[@]}" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format --cluster-id="$(cat "$CLUSTER_DIR/cluster-id")" \
      -c "$conf" --ignore-formatted >"$CLUSTER_LOGS/format-$i.log" 2>&1; then
    cat "$CLUSTER_LOGS/format-$i.log" >&2
    die "Kafka's storage tool failed for node $i; log: $CLUSTER_LOGS/format-$i.log"
  fi
  say "starting Kafka node $i on 127.0.0.1:$(cluster_port "$i") (controller :$(cluster_controller_port "$i"); log: $CLUSTER_LOGS/kafka-$i.log)"
  rm -f "$pidfile"
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${jvm[@]}" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$conf" \
    >>"$CLUSTER_LOGS/kafka-$i.log" 2>&1 </dev/null
  for _ in $(seq 1 50); do [ -s "$pidfile" ] && return 0; sleep 0.1; done
  die "Kafka node $i did not start; log: $CLUSTER_LOGS/kafka-$i.log"
}

# Ready when a metadata request answers with all N brokers registered (a node alone answers before the
# others join).
cluster_wait() {
  if ! node "$ROOT/scripts/kafka/cluster-status.mjs" wait "$(cluster_bootstrap)" "$CLUSTER_N" "$READY_TIMEOUT_S"; then
    for i in $(cluster_nodes); do tail -5 "$CLUSTER_LOGS/kafka-$i.log" >&2 || true; done
    die "the cluster did not report $CLUSTER_N brokers within ${READY_TIMEOUT_S}s; logs: $CLUSTER_LOGS"
  fi
}

cluster_up() {
  [ "$CLUSTER_N" -ge 1 ] || die "KAFKA_BROKERS_COUNT must be at least 1"
  kafka_build
  mkdir -p "$CLUSTER_RUN" "$CLUSTER_LOGS"
  if [ ! -f "$CLUSTER_DIR/cluster-id" ]; then
    node -e "const c=require('crypto');let id;do{id=c.randomBytes(16).toString('base64url')}while(id.startsWith('-'));process.stdout.write(id)" >"$CLUSTER_DIR/cluster-id"
  fi
  local i
  for i in $(cluster_nodes); do cluster_node_up "$i"; done
  cluster_wait
  say "cluster ready: $CLUSTER_N brokers at $(cluster_bootstrap) (KAFKA_BROKERS=$(cluster_bootstrap) for clients)"
}

# Stops one node: SIGTERM (a controlled shutdown: it hands its leaderships over first), SIGKILL after
# the grace period; `kill` sends SIGKILL at once (a crash: no handover, no flush).
cluster_node_stop() {
  local i=$1 signal=${2:-TERM} grace=${3:-45} pidfile pid
  pidfile=$(cluster_pidfile "$i")
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null || { rm -f "$pidfile"; return 0; }
  pid=$(cat "$pidfile")
  kill "-$signal" -- "-$pid" 2>/dev/null || kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  say "Kafka node $i did not stop within ${grace}s; killing it"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

cluster_down() {
  local i
  for i in $(cluster_nodes); do cluster_node_stop "$i" TERM 45 & done
  wait
}

cluster_status() {
  local i ok=0 pidfile state
  for i in $(cluster_nodes); do
    pidfile=$(cluster_pidfile "$i")
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then state="running (pid $(cat "$pidfile"))"; else state="not running"; ok=1; fi
    echo "kafka node $i: 127.0.0.1:$(cluster_port "$i") controller :$(cluster_controller_port "$i") $state"
  done
  node "$ROOT/scripts/kafka/cluster-status.mjs" show "$(cluster_bootstrap)" || ok=1
  return $ok
}

# `infra.sh [--brokers N] <cmd>` in cluster mode.
cluster_cmd() {
  local cmd=$1 arg=${2:-}
  case "$cmd" in
    build) kafka_build ;;
    up) need node "check readiness"; cluster_up ;;
    down) cluster_down ;;
    clean) cluster_down; rm -rf "$CLUSTER_DIR"/data-* "$CLUSTER_DIR/cluster-id" "$CLUSTER_DIR"/node-*.properties ;;
    status) cluster_status ;;
    # One node, for the fault tests: stop (controlled shutdown), kill (SIGKILL), start (and wait for all N).
    stop) cluster_check_node "${arg#kafka-}"; cluster_node_stop "${arg#kafka-}" TERM 45 ;;
    kill) cluster_check_node "${arg#kafka-}"; cluster_node_stop "${arg#kafka-}" KILL 10 ;;
    start) cluster_check_node "${arg#kafka-}"; mkdir -p "$CLUSTER_RUN" "$CLUSTER_LOGS"; cluster_node_up "${arg#kafka-}"; cluster_wait ;;
    bootstrap) cluster_bootstrap ;;
    *) die "unknown command '$cmd' in cluster mode (use: up, down, status, build, clean, stop N, kill N, start N, bootstrap)" ;;
  esac
}

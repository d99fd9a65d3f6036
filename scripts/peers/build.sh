#!/usr/bin/env bash
# Builds the Go and Java peer services of the polyglot integration tests into .cache/peers/ (git-ignored),
# from the Go module proxy and Maven Central, the two in parallel. A build is redone only when its
# sources change (a hash of them is kept beside the output), so warm runs cost a hash and nothing else.
#
#   bash scripts/peers/build.sh          build what is missing or stale
#   bash scripts/peers/build.sh --print  also print how to run each peer
#
# Run them:  .cache/peers/go/peer-go produce|consume ...
#            java -cp '.cache/peers/java/classes:.cache/peers/java/libs/*' PeerJava produce|consume ...
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SRC=$ROOT/scripts/peers
CACHE=${INFRA_CACHE_DIR:-$ROOT/.cache}
OUT=$CACHE/peers
LOGS=$CACHE/logs
mkdir -p "$OUT" "$LOGS"

say() { printf 'peers: %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { say "'$1' is not installed; it is needed to $2."; exit 1; }; }

# A hash of the files that define a build (and the toolchain that makes it), so edits rebuild.
stamp_of() { (cd "$SRC/$1" && cat $(find . -type f | LC_ALL=C sort) && "${@:2}") | sha256sum | cut -c1-16; }
fresh() { [ -f "$OUT/$1/.stamp" ] && [ "$(cat "$OUT/$1/.stamp")" = "$2" ]; }

build_go() {
  need go "build the Go peer (franz-go + kotel)"
  local stamp; stamp=$(stamp_of go go version)
  fresh go "$stamp" && return 0
  say "building the Go peer (log: $LOGS/peer-go-build.log)"
  rm -rf "$OUT/go" && mkdir -p "$OUT/go"
  # GOSUMDB=off as for Jaeger: the checksum database is not reachable here; go.sum pins every hash.
  (cd "$SRC/go" && CGO_ENABLED=0 GOSUMDB=off GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$OUT/go/peer-go" .) \
    >"$LOGS/peer-go-build.log" 2>&1 || { tail -20 "$LOGS/peer-go-build.log" >&2; say "Go peer build failed"; return 1; }
  echo "$stamp" >"$OUT/go/.stamp"
}

build_java() {
  need mvn "fetch the Java peer's jars from Maven Central"
  need javac "compile the Java peer"
  local stamp; stamp=$(stamp_of java javac -version)
  fresh java "$stamp" && return 0
  say "building the Java peer (log: $LOGS/peer-java-build.log)"
  rm -rf "$OUT/java" && mkdir -p "$OUT/java"
  {
    mvn -B -q -f "$SRC/java/pom.xml" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$OUT/java/libs" &&
      javac --release 17 -d "$OUT/java/classes" -cp "$OUT/java/libs/*" "$SRC/java/src/PeerJava.java"
  } >"$LOGS/peer-java-build.log" 2>&1 || { tail -20 "$LOGS/peer-java-build.log" >&2; say "Java peer build failed"; return 1; }
  echo "$stamp" >"$OUT/java/.stamp"
}

build_go & go_pid=$!
build_java & java_pid=$!
rc=0
wait "$go_pid" || rc=1
wait "$java_pid" || rc=1
[ "$rc" = 0 ] || exit 1
if [ "${1:-}" = "--print" ]; then
  echo "$OUT/go/peer-go"
  echo "java -cp '$OUT/java/classes:$OUT/java/libs/*' PeerJava"
fi

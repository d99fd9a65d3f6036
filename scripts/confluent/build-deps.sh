#!/usr/bin/env bash
# What a machine needs so that Confluent's client (@confluentinc/kafka-javascript, an optional peer for
# users) can be built from source for this repository's tests and demo. Its install first tries to
# download a prebuilt binary from GitHub releases; where that is unreachable it builds librdkafka, linked
# against the system's libraries (install.mjs sets CKJS_LINKING=dynamic: the default static build would
# download zlib/OpenSSL/zstd/curl sources too).
#
#   bash scripts/confluent/build-deps.sh     (install.mjs runs it before a build; .ci/run runs it first)
#
# installs the missing Debian/Ubuntu -dev packages (as root, or through passwordless sudo).
# Non-Debian systems: install the equivalents of the packages below by hand.
set -euo pipefail

# A C/C++ toolchain for node-gyp, and the libraries librdkafka links against.
PACKAGES=(g++ make python3 zlib1g-dev libssl-dev libzstd-dev libcurl4-openssl-dev liblz4-dev libsasl2-dev)

say() { printf 'confluent-build-deps: %s\n' "$*" >&2; }

command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian-like system; install the equivalents of: ${PACKAGES[*]}"; exit 1; }

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo -n)
say "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# The programs the integration tests drive besides Kafka and Jaeger, from the distribution: Chromium (the
# Jaeger UI browser test) and Prometheus (the metrics test scrapes with a real one). `npm test` runs this
# before its integration tests, so the README's test command needs nothing installed by hand:
#
#   bash scripts/system-deps.sh
#
# installs what is missing with apt-get (as root, or through passwordless sudo), waiting for another
# apt-get's lock (`.ci/run` installs the same packages in the background) rather than racing it.
# Elsewhere it names what to install and exits 1.
set -euo pipefail

say() { printf 'system-deps: %s\n' "$*" >&2; }

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  say "no apt-get: install ${missing[*]} from your distribution (the browser and metrics tests need them)"
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then
    say "not root and no passwordless sudo: run 'sudo apt-get install ${missing[*]}' (the browser and metrics tests need them)"
    exit 1
  fi
  sudo=(sudo -n)
fi
say "installing ${missing[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=900 update -qq
"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
say "installed ${missing[*]}"

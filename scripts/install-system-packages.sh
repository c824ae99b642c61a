#!/usr/bin/env bash
# Installs the Debian packages Manito needs on a fresh Debian 12 machine (as root, or through sudo).
# Without options: what the demo needs (code-server's native modules and ripgrep, Redis for the
# example stack). With --tests: also what the test tiers need (Chromium for the editor tier,
# PostgreSQL for detection tests, emoji fonts for readable screenshots, ps/ss, Docker with Compose
# v1 and the static busybox its test image is built from, Prometheus to scrape /metrics, stress-ng,
# Flask for the corpus repository whose API is a Flask app). With --bench: also HAProxy, the C
# reference row of bench/proxy.bench.ts (never used by Manito or its tests). Options combine.
# The tests start their own Redis, PostgreSQL and Prometheus on loopback (and scripts/ensure-dockerd.sh
# its dockerd), so the packaged services are kept from starting at install time (policy-rc.d exit
# 101 = "not allowed").
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

# build-essential and python3: code-server's own native modules (node-pty, argon2) are rebuilt
# with node-gyp by scripts/install-code-server.sh. Manito itself compiles nothing.
packages=(libkrb5-dev ripgrep build-essential python3 redis-server ca-certificates)
for option in "$@"; do
  case "$option" in
    --tests) packages+=(chromium fonts-noto-color-emoji postgresql python3-flask procps iproute2 docker.io docker-compose busybox-static prometheus stress-ng) ;;
    --bench) packages+=(haproxy) ;;
    *) echo "install-system-packages: unknown option $option (known: --tests, --bench)" >&2; exit 2 ;;
  esac
done

sudo=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-system-packages: run as root, or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
command -v apt-get >/dev/null || { echo "install-system-packages: no apt-get; install these yourself: ${packages[*]}" >&2; exit 1; }

policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
  "${sudo[@]}" chmod +x "$policy"
  own_policy=1
fi
trap '[ "$own_policy" = 1 ] && "${sudo[@]}" rm -f "$policy"' EXIT

apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
"${sudo[@]}" apt-get "${apt_opts[@]}" update
"${sudo[@]}" apt-get "${apt_opts[@]}" install "${packages[@]}"

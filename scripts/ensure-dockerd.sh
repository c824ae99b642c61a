#!/usr/bin/env bash
# Makes sure a Docker daemon answers on this machine, for the compose tests and .ci/run: returns at
# once when one does, starts one (as root) when none does, and otherwise exits non-zero with one
# sentence saying what to install or start. The daemon it starts outlives this script on purpose.
set -euo pipefail

answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

command -v docker >/dev/null || { echo "ensure-dockerd: the docker command is not installed: apt-get install docker.io" >&2; exit 1; }
answers && exit 0
command -v dockerd >/dev/null || { echo "ensure-dockerd: no Docker daemon answers and dockerd is not installed: apt-get install docker.io" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
  echo "ensure-dockerd: no Docker daemon answers, and only root can start one: sudo systemctl start docker (or sudo dockerd &)" >&2
  exit 1
fi

log=${MANITO_DOCKERD_LOG:-/var/log/manito-dockerd.log}
echo "ensure-dockerd: starting dockerd (log: $log)" >&2
# Its own session, no terminal: it must not die with the shell or the test run that started it.
setsid dockerd --host unix:///var/run/docker.sock >>"$log" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 240); do
  answers && exit 0
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "ensure-dockerd: dockerd exited at start; the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "ensure-dockerd: dockerd (pid $pid) did not answer within 120 s; see $log" >&2
exit 1

#!/usr/bin/env bash
# Builds the tiny image the compose tests run, locally (no registry is reachable from CI): Debian's
# static busybox serving /www over HTTP on port 80. Does nothing when the image exists.
#   scripts/build-test-image.sh [image]   (default manito-test/httpd:1)
set -euo pipefail
image=${1:-manito-test/httpd:1}

docker image inspect "$image" >/dev/null 2>&1 && exit 0
busybox=$(dpkg -L busybox-static 2>/dev/null | grep 'bin/busybox$' | head -n 1 || true)
if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
  echo "build-test-image: busybox-static is not installed: apt-get install busybox-static" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/www"
cp "$busybox" "$root/bin/busybox"
echo '<h1>manito test httpd</h1>' >"$root/www/index.html"
tar -C "$root" -c . | docker import -c 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]' - "$image" >/dev/null
echo "build-test-image: built $image" >&2

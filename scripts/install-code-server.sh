#!/usr/bin/env bash
# Installs code-server 4.99.4 (VS Code 1.99.3) into a git-ignored cache for the editor tests.
# Offline-safe: every package comes from the npm registry, native modules are rebuilt locally,
# and ripgrep comes from Debian instead of GitHub. Reused when the cache already works.
set -euo pipefail
VERSION=4.99.4
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${MANITO_CODE_SERVER_CACHE:-$root/.cache/code-server}"
entry="$cache/node_modules/code-server/out/node/entry.js"

if [ -f "$cache/.ok-$VERSION" ] && node "$entry" --version >/dev/null 2>&1; then
  echo "code-server $VERSION already installed in $cache"
  exit 0
fi
command -v rg >/dev/null || { echo "install-code-server: ripgrep (rg) is missing: apt-get install ripgrep" >&2; exit 1; }

mkdir -p "$cache"
cd "$cache"
[ -f package.json ] || echo '{"name":"manito-code-server-cache","private":true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"

vs="$cache/node_modules/code-server/lib/vscode"
(cd "$vs" && npm install --no-audit --no-fund --omit=dev --ignore-scripts)
mkdir -p "$vs/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$vs/node_modules/@vscode/ripgrep/bin/rg"
(cd "$vs" && npm_config_yes=true npm rebuild)
ln -sfn node_modules "$vs/node_modules.asar"
(cd "$vs/extensions" && npm install --no-audit --no-fund --omit=dev)
npm rebuild argon2

node "$entry" --version
touch "$cache/.ok-$VERSION"

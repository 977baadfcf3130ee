#!/usr/bin/env bash
# Build the web client (gateway/web, Vue 3 + Element Plus + ECharts, Vite) into gateway/web/dist,
# which the gateway serves.  Needs Node.js 20.19 or newer with npm; if it is missing, say
# exactly what to install and stop.  `npm ci` installs the exact versions of package-lock.json
# from the npm registry; nothing is fetched from a CDN at run time.
# With --if-stale: build only when dist/ is missing or older than a source file.
set -euo pipefail
cd "$(dirname "$0")/../gateway/web"

need_major=20 need_minor=19
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
Node.js ${need_major}.${need_minor}+ (with npm) is needed to build the web client and is not installed. Install it, then run this again:
  Debian/Ubuntu:  sudo apt-get install -y nodejs npm        (Debian 13 / Ubuntu 24.04 ship Node.js 20)
  Fedora/RHEL:    sudo dnf install -y nodejs20
  macOS:          brew install node@20
MSG
  exit 1
fi
version=$(node -p 'process.versions.node')
major=${version%%.*}; rest=${version#*.}; minor=${rest%%.*}
if [ "$major" -lt "$need_major" ] || { [ "$major" -eq "$need_major" ] && [ "$minor" -lt "$need_minor" ]; }; then
  echo "Node.js $version is too old to build the web client: ${need_major}.${need_minor} or newer is needed: sudo apt-get install -y nodejs npm (Debian 13, Ubuntu 24.04), or brew install node@20" >&2
  exit 1
fi

if [ "${1:-}" = "--if-stale" ] && [ -f dist/index.html ]; then
  newer=$(find src public index.html vite.config.js package.json package-lock.json -newer dist/index.html -print -quit 2>/dev/null || true)
  if [ -z "$newer" ]; then
    echo "web client is up to date (gateway/web/dist)"
    exit 0
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent
echo "web client built: gateway/web/dist"

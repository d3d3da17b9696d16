#!/usr/bin/env bash
# Installs what the end-to-end tests need (see /work/shared/testing/REAL-VSCODE.md and README.md here):
#   Debian packages (build tools for code-server's native modules, ripgrep, chromium), then code-server
#   4.100.3 (= VS Code 1.100.3) and playwright-core from test/e2e/vendor/package.json (+ package-lock.json).
# Idempotent: a second run checks what is installed and returns in seconds.
# Must run as root (apt-get; code-server's install needs --unsafe-perm as root).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENDOR="$HERE/vendor"
export DEBIAN_FRONTEND=noninteractive
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# The recipe's packages, plus a colour emoji font so screenshots show the hover's status marks (✅ ⚠️ ❔)
# as a user sees them instead of empty boxes.
APT_PACKAGES=(build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep chromium
              fonts-noto-color-emoji)
RG_CACHE_VERSION=1.15.11                       # @vscode/ripgrep used by code-server 4.100.3's VS Code
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

t0=$(date +%s)
log() { printf '[e2e setup %3ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup.sh must run as root (apt-get, npm --unsafe-perm)" >&2
  exit 1
fi

# 1. Debian packages — skipped when all are installed already.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
else
  log "Debian packages present"
fi
log "$(chromium --version 2>/dev/null || echo 'chromium: not found')"

# 2. code-server + playwright-core — skipped when node_modules matches package.json + package-lock.json.
stamp="$VENDOR/node_modules/.stateful-ha-e2e-stamp"
want="$(cat "$VENDOR/package.json" "$VENDOR/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)-$(node --version)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && [ -x "$VENDOR/node_modules/.bin/code-server" ] \
   && [ -f "$VENDOR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
   && [ -f "$VENDOR/node_modules/playwright-core/package.json" ]; then
  log "code-server + playwright-core present ($VENDOR/node_modules)"
else
  # Trap 2: @vscode/ripgrep downloads rg from GitHub unless its cache holds the tarball: build it from Debian's rg.
  NPM_TMP="${TMPDIR:-/tmp}/stateful-ha-e2e-npm-tmp"
  mkdir -p "$NPM_TMP/vscode-ripgrep-cache-$RG_CACHE_VERSION"
  if [ ! -s "$NPM_TMP/vscode-ripgrep-cache-$RG_CACHE_VERSION/$RG_TARBALL" ]; then
    tar -czf "$NPM_TMP/vscode-ripgrep-cache-$RG_CACHE_VERSION/$RG_TARBALL" -C /usr/bin rg
  fi
  # Trap 1: as root code-server's install script needs --unsafe-perm. Trap 3: node-pty runs `npx node-gyp`.
  cd "$VENDOR"
  if [ -f package-lock.json ]; then cmd=ci; else cmd=install; fi
  log "npm $cmd in $VENDOR (code-server compiles native modules: ~2 min)"
  rm -f "$stamp"
  TMPDIR="$NPM_TMP" npm_config_yes=true npm "$cmd" --unsafe-perm --no-audit --no-fund --loglevel=error
  want="$(cat "$VENDOR/package.json" "$VENDOR/package-lock.json" | sha256sum | cut -d' ' -f1)-$(node --version)"
  echo "$want" > "$stamp"
fi
vtmp="$(mktemp -d)"   # `code-server --version` writes a default config under XDG_CONFIG_HOME: keep it out of ~/.config
log "code-server $(XDG_CONFIG_HOME="$vtmp" XDG_DATA_HOME="$vtmp" "$VENDOR/node_modules/.bin/code-server" --version 2>/dev/null | grep -m1 -E '^[0-9]+\.')"
rm -rf "$vtmp"
log "playwright-core $(node -p "require('$VENDOR/node_modules/playwright-core/package.json').version")"
log "done"

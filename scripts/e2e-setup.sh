#!/usr/bin/env bash
# Installs what `npm run test:e2e` needs on a Debian (bookworm) machine, as root:
#   - apt: chromium (driven by playwright-core), neovim (second LSP client), ripgrep and
#     libkrb5-dev + a C/C++ toolchain (code-server's native modules are compiled from source
#     because their prebuilt-binary downloads are unreachable here)
#   - npm: code-server into a cache directory OUTSIDE node_modules (302 MB, ~1 min to build),
#     so `npm ci` stays fast and the cache survives a fresh clone on the same machine.
# Idempotent: when everything is present it only checks and returns (well under a second).
#
# Env:
#   HARBOR_E2E_CACHE        cache root (default: $XDG_CACHE_HOME or ~/.cache, + /harbor-audit-e2e)
#   HARBOR_E2E_CS_VERSION   code-server version (default 4.100.3: the last one whose engines.node is 20)
#
# Prints the code-server entry point on its last line as `CODE_SERVER=<path>`; the e2e tests find
# it on their own through the same defaults (or through $CODE_SERVER).
set -euo pipefail

CS_VERSION=${HARBOR_E2E_CS_VERSION:-4.100.3}
CACHE=${HARBOR_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/harbor-audit-e2e}
CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
STAMP="$CS_DIR/.harbor-audit-installed"

start=$(date +%s)
log() { echo "[e2e-setup +$(( $(date +%s) - start ))s] $*"; }

# ---- 1. Debian packages -------------------------------------------------------------------
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v nvim >/dev/null 2>&1 || need_apt+=(neovim)
command -v rg >/dev/null 2>&1 || need_apt+=(ripgrep)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
command -v unzip >/dev/null 2>&1 || need_apt+=(unzip)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e-setup: missing Debian packages (${need_apt[*]}); run as root or install them" >&2
    exit 1
  fi
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  log "apt done"
fi

# ---- 2. code-server from npm ----------------------------------------------------------------
if [ -f "$STAMP" ] && [ -f "$CS_ENTRY" ]; then
  log "code-server $CS_VERSION already in $CS_DIR"
  echo "CODE_SERVER=$CS_ENTRY"
  exit 0
fi

log "installing code-server $CS_VERSION into $CS_DIR"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR/tmp"
echo '{"private":true}' > "$CS_DIR/package.json"

# @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable). It first looks for
# $TMPDIR/vscode-ripgrep-cache-<its version>/ripgrep-<tag>-<target>.tar.gz, so put Debian's rg
# there under the name code-server 4.100.x's @vscode/ripgrep asks for.
rg_cache="$CS_DIR/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rg_cache" "$CS_DIR/tmp/rg"
cp "$(command -v rg)" "$CS_DIR/tmp/rg/rg"
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
  tar czf "$rg_cache/ripgrep-v13.0.0-10-$target.tar.gz" -C "$CS_DIR/tmp/rg" rg
done

# Native modules compile against the running Node's headers; point node-gyp at them instead of
# letting it download them.
node_prefix=$(dirname "$(dirname "$(command -v node)")")
if [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi

log_file="$CACHE/code-server-$CS_VERSION-install.log"
# npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp` (a ~/.npmrc may say yes=false).
if ! (cd "$CS_DIR" && TMPDIR="$CS_DIR/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
      npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false \
      npm install --foreground-scripts --no-save --no-package-lock "code-server@$CS_VERSION" >"$log_file" 2>&1); then
  tail -40 "$log_file" >&2
  echo "e2e-setup: code-server install failed; full log: $log_file" >&2
  exit 1
fi
[ -f "$CS_ENTRY" ] || { echo "e2e-setup: $CS_ENTRY missing after install (log: $log_file)" >&2; exit 1; }
# A quick smoke check that the native parts load (writes nothing outside $CS_DIR).
HOME="$CS_DIR/tmp" XDG_CONFIG_HOME="$CS_DIR/tmp/.config" XDG_DATA_HOME="$CS_DIR/tmp/.local/share" \
  node "$CS_ENTRY" --config "$CS_DIR/tmp/config.yaml" --version >/dev/null
rm -rf "$CS_DIR/tmp"
touch "$STAMP"
log "code-server $CS_VERSION installed ($(du -sh "$CS_DIR" | cut -f1))"
echo "CODE_SERVER=$CS_ENTRY"

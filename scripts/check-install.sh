#!/usr/bin/env bash
# The README's way to get `harbor-audit` on PATH, checked in a clean prefix:
# npm pack (production bundle, only the files the command needs) -> npm install -g -> run it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p "require('./package.json').version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$work/harbor-audit-$version.tgz"
files=$(tar -tzf "$tarball" | wc -l)
[ "$files" -lt 100 ] || { echo "check-install: $files files in the package: is .npmignore still in place?" >&2; exit 1; }
npm install -g --prefix "$work/prefix" "$tarball" --no-audit --no-fund --loglevel=error >/dev/null
bin="$work/prefix/bin/harbor-audit"
[ "$("$bin" --version)" = "$version" ] || { echo "check-install: --version is not $version" >&2; exit 1; }
# The bundled examples hold findings: exit 1 and a summary line.
set +e
out=$(cd "$work" && "$bin" "$OLDPWD/examples/")
code=$?
set -e
[ "$code" -eq 1 ] || { echo "check-install: harbor-audit examples/ exited $code, expected 1" >&2; echo "$out" >&2; exit 1; }
summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ problems? \(' || true)
[ -n "$summary" ] || { echo "check-install: no summary line in the output" >&2; exit 1; }
echo "check-install: harbor-audit $version from a $files-file package in a clean prefix: $summary"

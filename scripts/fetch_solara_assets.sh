#!/usr/bin/env bash
# Fill Solara's asset proxy cache from the npm registry, so the visualiser's page works offline.
#
# Solara serves its page JavaScript and CSS through a proxy that downloads from a CDN on first use; on a
# machine without access to the CDN the page stays blank. Pointing SOLARA_ASSETS_PROXY_CACHE_DIR at a
# directory already holding every file avoids the CDN entirely. The packages and versions below are the
# ones solara 1.64.1 asks for (they change with the solara version, which is why pyproject pins solara).
#
#   scripts/fetch_solara_assets.sh [CACHE_DIR]
#
# CACHE_DIR defaults to $LABRACE_SOLARA_ASSETS, else .cache/solara-assets in the repository. Each package
# is unpacked into CACHE_DIR/<name>@<version>/ without its top folder and without source maps. Packages
# already present are skipped, so running it again is cheap.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-${LABRACE_SOLARA_ASSETS:-$repo/.cache/solara-assets}}"

# <npm package>@<version as the page requests it>
packages=(
  "@widgetti/solara-vuetify-app@10.1.1"
  "requirejs@2.3.6"
  "font-awesome@4.5.0"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
  "vega@5"
  "vega-lite@5"
  "vega-embed@6"
)

command -v npm >/dev/null 2>&1 || { echo "fetch_solara_assets: npm is required (apt-get install -y npm)" >&2; exit 1; }
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for spec in "${packages[@]}"; do
  target="$cache/$spec"
  if [ -d "$target" ] && [ -n "$(ls -A "$target")" ]; then
    continue
  fi
  echo "fetching $spec"
  tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  staging="$work/unpacked"
  rm -rf "$staging" && mkdir -p "$staging"
  tar -xzf "$work/$tarball" -C "$staging" --strip-components=1 --exclude='*.map'
  rm -f "$work/$tarball"
  mkdir -p "$(dirname "$target")"
  rm -rf "$target"
  mv "$staging" "$target"
done
echo "solara assets ready in $cache ($(du -sh "$cache" | cut -f1))"

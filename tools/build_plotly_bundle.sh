#!/usr/bin/env bash
# Rebuild src/accord/report/static/plotly-accord.min.js: a partial Plotly.js bundle carrying only
# the trace types the brief draws (src/accord/report/charts.py). Run it when charts.py starts using
# a new trace type (tests/test_report.py names the missing one) or to move to another plotly.js.
#   tools/build_plotly_bundle.sh [PLOTLY_JS_VERSION]
# Needs Node.js and npm (the npm registry); the build happens in a temporary directory.
set -euo pipefail
VERSION="${1:-4.1.1}"
ESBUILD_VERSION="0.28.2"
TRACES=(bar heatmap)   # scatter is always in plotly.js's core
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$ROOT/src/accord/report/static"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund "plotly.js@$VERSION" "esbuild@$ESBUILD_VERSION" >/dev/null
{
  echo "'use strict';"
  echo "var Plotly = require('plotly.js/lib/core');"
  echo "Plotly.register(["
  for t in "${TRACES[@]}"; do echo "  require('plotly.js/lib/$t'),"; done
  echo "]);"
  echo "module.exports = Plotly;"
} > entry.js
# The CSS that core pulls in belongs to map traces (maplibre), which the bundle does not carry.
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly \
  --define:global=window --define:define.amd=false --target=es2016 \
  --loader:.css=empty --legal-comments=none --log-level=warning --outfile=bundle.js
{
  echo "/*! plotly.js v$VERSION partial bundle (traces: scatter ${TRACES[*]}) built by"
  echo " * tools/build_plotly_bundle.sh | (c) Plotly, Inc. | MIT License, see PLOTLY-LICENSE.txt */"
  cat bundle.js
} > "$OUT/plotly-accord.min.js.tmp"
mv "$OUT/plotly-accord.min.js.tmp" "$OUT/plotly-accord.min.js"
cp node_modules/plotly.js/LICENSE "$OUT/PLOTLY-LICENSE.txt"
printf '{"plotly.js": "%s", "traces": [%s]}\n' "$VERSION" \
  "$(printf '"%s", ' scatter "${TRACES[@]}" | sed 's/, $//')" > "$OUT/plotly-accord.json"
echo "wrote $OUT/plotly-accord.min.js ($(wc -c < "$OUT/plotly-accord.min.js") bytes)"

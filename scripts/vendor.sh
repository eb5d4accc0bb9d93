#!/usr/bin/env bash
# Copies the front-end packages installed by npm into app/static/vendor (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf app/static/vendor
mkdir -p app/static/vendor/leaflet
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
  node_modules/leaflet/dist/images app/static/vendor/leaflet/
cp node_modules/leaflet/LICENSE app/static/vendor/leaflet/

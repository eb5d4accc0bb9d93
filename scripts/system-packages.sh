#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the project needs, only those that are missing.
# Runs apt-get as root, or through sudo for a normal user.
set -euo pipefail

# chromium: the browser tests of `make test` drive the distribution's browser.
PACKAGES=(postgresql postgis python3-venv nodejs npm chromium)

missing=()
have_postgis() { ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; }
for pkg in "${PACKAGES[@]}"; do
  case "$pkg" in
    postgresql) [ -n "$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null)" ] && continue ;;
    postgis) have_postgis && continue ;;
    python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null && continue ;;
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    chromium) command -v chromium >/dev/null && continue ;;
  esac
  missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
# PostGIS comes as postgresql-NN-postgis-3, NN being the distribution's PostgreSQL major version.
pgver=$(apt-cache depends postgresql | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n 1)
for i in "${!missing[@]}"; do
  [ "${missing[$i]}" = postgis ] && missing[$i]="postgresql-$pgver-postgis-3"
done
echo "Installing system packages: ${missing[*]}"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

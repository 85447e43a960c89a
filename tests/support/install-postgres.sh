#!/usr/bin/env bash
# Installs PostgreSQL from Debian's packages when its server binaries are missing.
# Used by tests/support/postgres.py; CI machines run as root, so apt-get works as it is.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "PostgreSQL is not installed and this is not root: install the 'postgresql' package" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null
apt-get install -y -qq --no-install-recommends postgresql </dev/null >/dev/null

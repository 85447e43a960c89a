#!/usr/bin/env bash
# Make sure the test harness has a real OCI registry: Debian's `docker-registry` (the CNCF
# distribution registry) and `htpasswd` (apache2-utils) for its bcrypt password file. Installs
# them with apt-get when missing (CI runs as root, with no stdin); does nothing when both exist.
set -euo pipefail
need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo -n); else
    echo "ensure-registry: ${need[*]} missing; install them as root: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
else
  sudo=()
fi
export DEBIAN_FRONTEND=noninteractive
# Other jobs on the machine may hold apt's lock: wait for it rather than fail.
apt=(apt-get -q -o DPkg::Lock::Timeout=600)
echo "ensure-registry: installing ${need[*]}" >&2
"${sudo[@]}" "${apt[@]}" update >/dev/null
"${sudo[@]}" "${apt[@]}" install -y --no-install-recommends "${need[@]}" >/dev/null
command -v docker-registry >/dev/null && command -v htpasswd >/dev/null

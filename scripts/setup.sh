#!/usr/bin/env bash
# Installs what Atoll needs on a fresh machine: the system's etcd (simulated
# members run etcd pods as real processes) and the npm dependencies, which
# include the pinned Node 24 runtime every npm script runs on.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing etcd-server and etcd-client (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing etcd-server and etcd-client (Debian, via sudo)"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null
  else
    echo "setup: WARNING: no etcd on PATH and no apt-get to install it; etcd pods will be simulated, not run" >&2
  fi
fi

npm ci --no-audit --no-fund

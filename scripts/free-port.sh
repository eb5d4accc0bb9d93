#!/usr/bin/env bash
# The first TCP port on 127.0.0.1 from $1 (default 5000) that nothing listens on.
set -euo pipefail
port=${1:-5000}
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
echo "$port"

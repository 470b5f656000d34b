#!/usr/bin/env bash
# Load spread per listener-sharing strategy: per-worker request counts (max/min), throughput, and the cost of
# new connections, on loopback. Starts the cluster test host (Release) once per strategy × load × round, runs the
# load, stops the cluster with SIGTERM and reads each worker's "served {pid} {count}" line.
#
# Usage: benchmarks/cluster/spread.sh [rounds=3] [seconds=5] [workers=2]   (LOADS="h2load ..." picks loads)
# Loads: wrk-keepalive / h2load (h2c) / wrk-newconn (Connection: close) on cleartext; the same three over TLS
# (tls-*; the -newconn one is handshake-bound). Each run uses a fresh cluster, so the counts are per run.
# Needs: dotnet, wrk, h2load (Debian: wrk, nghttp2-client). Results: stdout (markdown table rows).
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-5}
WORKERS=${3:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
HOST="$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

run_one() { # strategy load round
  local strategy=$1 load=$2 round=$3 port h2port tlsport pid out rate
  port=$(free_port); h2port=$(free_port); tlsport=$(free_port)
  out="$WORK/$strategy-$load-$round.log"
  PORT=$port H2_PORT=$h2port TLS_PORT=$tlsport TH_WORKERS=$WORKERS TH_SHARING=$strategy TH_RESPAWN=1 \
    dotnet "$HOST" >"$out" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    [ "$(grep -c '^listening ' "$out" || true)" -ge $((WORKERS * 3)) ] && break
    sleep 0.1
  done
  case $load in
    wrk-keepalive) rate=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}') ;;
    wrk-newconn)   rate=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" -H 'Connection: close' "http://127.0.0.1:$port/" | awk '/Requests\/sec/ {print $2}') ;;
    h2load)        rate=$(h2load -c32 -m10 -t2 -D "$SECONDS_PER_RUN" "http://127.0.0.1:$h2port/" 2>/dev/null | awk '/^finished in/ {print $4}') ;;
    tls-h2load)    rate=$(h2load -c32 -m10 -t2 -D "$SECONDS_PER_RUN" "https://127.0.0.1:$tlsport/" 2>/dev/null | awk '/^finished in/ {print $4}') ;;
    tls-wrk-keepalive) rate=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" "https://127.0.0.1:$tlsport/" | awk '/Requests\/sec/ {print $2}') ;;
    tls-wrk-newconn)   rate=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" -H 'Connection: close' "https://127.0.0.1:$tlsport/" | awk '/Requests\/sec/ {print $2}') ;;
  esac
  kill -TERM "$pid"
  wait "$pid" || true
  local counts max min
  counts=$(awk '/^served / {print $3}' "$out" | sort -n | tr '\n' ' ')
  max=$(echo "$counts" | awk '{print $NF}')
  min=$(echo "$counts" | awk '{print $1}')
  local ratio
  ratio=$(awk -v a="$max" -v b="$min" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f", a / b }')
  echo "| $strategy | $load | $round | $rate | $counts| $ratio |"
}

echo "| strategy | load | round | req/s | per-worker requests | max/min |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for load in ${LOADS:-wrk-keepalive h2load wrk-newconn tls-h2load tls-wrk-keepalive tls-wrk-newconn}; do
    for strategy in shared reuseport handoff; do
      run_one "$strategy" "$load" "$round"
    done
  done
done

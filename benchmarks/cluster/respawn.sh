#!/usr/bin/env bash
# Time from `kill -9` of a worker to its replacement reporting "listening" (capacity back), N times, in managed
# mode (Auto → reuseport), with the cluster test host (Release). Prints each sample and the p50/p90.
# Usage: benchmarks/cluster/respawn.sh [kills=10]
set -euo pipefail
KILLS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
PORT=$port TH_WORKERS=2 TH_RESPAWN=1 dotnet "$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll" >"$OUT" 2>&1 &
primary=$!
until [ "$(grep -c '^listening ' "$OUT" || true)" -ge 2 ]; do sleep 0.05; done
samples=()
for i in $(seq 1 "$KILLS"); do
  sleep 2   # let the previous replacement settle (MinUptime 1 s: kills stay "ordinary exits", 100 ms backoff)
  before=$(grep -c '^listening ' "$OUT" || true)
  victim=$(cat /proc/"$primary"/task/*/children | tr ' ' '\n' | grep -v '^$' | head -1)
  start=$(date +%s%N)
  kill -9 "$victim"
  until [ "$(grep -c '^listening ' "$OUT" || true)" -gt "$before" ]; do sleep 0.005; done
  end=$(date +%s%N)
  samples+=($(( (end - start) / 1000000 )))
  echo "kill $i: pid $victim → replacement listening after ${samples[-1]} ms"
done
kill -TERM "$primary"; wait "$primary" || true
printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {printf "p50 %d ms, p90 %d ms, min %d ms, max %d ms (n=%d; includes the 100 ms ± 20%% backoff)\n", a[int((NR+1)/2)], a[int(NR*0.9+0.5)], a[1], a[NR], NR}'

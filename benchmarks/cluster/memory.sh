#!/usr/bin/env bash
# Resident memory of the primary and each worker (VmRSS), idle and after 5 s of load, for the cluster test host
# (Release) and `roost serve --workers 2`. Extra environment for the workers can be passed through, e.g.
#   DOTNET_GCgen0size=0x400000 benchmarks/cluster/memory.sh
# Both run managed with one hot spare (the test host: TH_HOT_SPARES, default 1 here; roost serve: its default): the
# last RSS of a row is the spare's (children in pid order; the spare starts after the workers are ready).
# Usage: benchmarks/cluster/memory.sh   (needs wrk)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
dotnet build "$ROOT/src/Roost.Cli" -c Release -v q -nologo >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss() { awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup"; }
uss() { awk '/^Private_(Clean|Dirty):/ {t += $2} END {printf "%.1f", t/1024}' "/proc/$1/smaps_rollup"; }
children() { cat /proc/"$1"/task/*/children | tr ' ' '\n' | grep -v '^$' | sort -n -u; }

row() { # name state pid: RSS per process, RSS total, PSS total, private (USS) total
  local name=$1 state=$2 pid=$3 line total pt ut w
  line="| $name | $state | $(rss "$pid")"; total=$(rss "$pid"); pt=$(pss "$pid"); ut=$(uss "$pid")
  for w in $(children "$pid"); do
    line="$line / $(rss "$w")"
    total=$(awk -v a="$total" -v b="$(rss "$w")" 'BEGIN {print a + b}')
    pt=$(awk -v a="$pt" -v b="$(pss "$w")" 'BEGIN {print a + b}')
    ut=$(awk -v a="$ut" -v b="$(uss "$w")" 'BEGIN {print a + b}')
  done
  echo "$line | $total | $pt | $ut |"
}

measure() { # name url pid
  local name=$1 url=$2 pid=$3
  sleep 8   # workers ready, then the spare built and warmed up
  row "$name" idle "$pid"
  wrk -t2 -c32 -d5s "$url" >/dev/null
  sleep 1
  row "$name" "after 5 s wrk -c32" "$pid"
}

echo "| program | state | RSS MB: primary / worker / worker / spare | RSS total MB | PSS total MB | private (USS) total MB |"
echo "|---|---|---|---|---|---|"
port=$(free_port)
PORT=$port TH_WORKERS=2 TH_RESPAWN=1 TH_HOT_SPARES=${TH_HOT_SPARES:-1} dotnet "$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll" >/dev/null 2>&1 &
pid=$!
measure "test host (http/1.1)" "http://127.0.0.1:$port/" "$pid"
kill -TERM "$pid"; wait "$pid" || true

port=$(free_port)
dotnet "$ROOT/src/Roost.Cli/bin/Release/net10.0/roost.dll" serve --workers 2 --port "$port" --host 127.0.0.1 >/dev/null 2>&1 &
pid=$!
measure "roost serve --workers 2 (TLS)" "https://127.0.0.1:$port/" "$pid"
kill -TERM "$pid"; wait "$pid" || true

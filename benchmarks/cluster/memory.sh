#!/usr/bin/env bash
# Resident memory of the primary and each worker (VmRSS), idle and after 5 s of load, for the cluster test host
# (Release) and `roost serve --workers 2`, each as the JIT build (`dotnet X.dll`) and as the NativeAOT build (the
# same project published with PublishAot by benchmarks/publish-aot.sh, run as the native executable). Extra
# environment for the workers can be passed through, e.g.
#   DOTNET_GCgen0size=0x400000 benchmarks/cluster/memory.sh
# Both run managed with one hot spare (the test host: TH_HOT_SPARES, default 1 here; roost serve: its default): the
# last RSS of a row is the spare's (children in pid order; the spare starts after the workers are ready).
# Usage: benchmarks/cluster/memory.sh [jit|aot|both] [rounds]   (default both, 1 round; needs wrk; aot needs gcc)
# With both, each round runs JIT and native back to back (JIT first in odd rounds, native first in even ones).
# The load average is printed with every row (the machine may be shared).
set -euo pipefail
WHICH=${1:-both}
ROUNDS=${2:-1}
case "$WHICH" in jit|aot|both) ;; *) echo "error: the first argument must be jit, aot or both; got '$WHICH'." >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$WHICH" != aot ]; then
  dotnet build "$ROOT/test/Roost.ClusterTestHost" -c Release -v q -nologo >/dev/null
  dotnet build "$ROOT/src/Roost.Cli" -c Release -v q -nologo >/dev/null
fi
AOT="$ROOT/benchmarks/load/.work/aot"   # shared with benchmarks/load/run.sh (git-ignored): an unchanged source is not recompiled
if [ "$WHICH" != jit ]; then
  "$ROOT/benchmarks/publish-aot.sh" "$AOT" "$ROOT/test/Roost.ClusterTestHost/Roost.ClusterTestHost.csproj" "$ROOT/src/Roost.Cli/Roost.Cli.csproj"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
pss() { awk '/^Pss:/ {printf "%.1f", $2/1024}' "/proc/$1/smaps_rollup"; }
uss() { awk '/^Private_(Clean|Dirty):/ {t += $2} END {printf "%.1f", t/1024}' "/proc/$1/smaps_rollup"; }
children() { cat /proc/"$1"/task/*/children | tr ' ' '\n' | grep -v '^$' | sort -n -u; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

row() { # name state pid: RSS per process, RSS total, PSS total, private (USS) total, load average
  local name=$1 state=$2 pid=$3 line total pt ut w
  line="| $name | $state | $(rss "$pid")"; total=$(rss "$pid"); pt=$(pss "$pid"); ut=$(uss "$pid")
  for w in $(children "$pid"); do
    line="$line / $(rss "$w")"
    total=$(awk -v a="$total" -v b="$(rss "$w")" 'BEGIN {print a + b}')
    pt=$(awk -v a="$pt" -v b="$(pss "$w")" 'BEGIN {print a + b}')
    ut=$(awk -v a="$ut" -v b="$(uss "$w")" 'BEGIN {print a + b}')
  done
  echo "$line | $total | $pt | $ut | $(loadavg) |"
}

PID=
cleanup() { if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" || true; fi; }
trap cleanup EXIT

measure() { # name url: the cluster started as $PID
  local name=$1 url=$2
  sleep 8   # workers ready, then the spare built and warmed up
  row "$name" idle "$PID"
  wrk -t2 -c32 -d5s "$url" >/dev/null
  sleep 1
  row "$name" "after 5 s wrk -c32" "$PID"
  kill -TERM "$PID"; wait "$PID" || true; PID=
}

test_host() { # jit|aot
  local port; port=$(free_port)
  local -a cmd=(dotnet "$ROOT/test/Roost.ClusterTestHost/bin/Release/net10.0/Roost.ClusterTestHost.dll")
  [ "$1" = aot ] && cmd=("$AOT/Roost.ClusterTestHost/Roost.ClusterTestHost")
  PORT=$port TH_WORKERS=2 TH_RESPAWN=1 TH_HOT_SPARES=${TH_HOT_SPARES:-1} "${cmd[@]}" >/dev/null 2>&1 &
  PID=$!
  measure "test host (http/1.1), $1" "http://127.0.0.1:$port/"
}

roost_serve() { # jit|aot
  local port; port=$(free_port)
  local -a cmd=(dotnet "$ROOT/src/Roost.Cli/bin/Release/net10.0/roost.dll")
  [ "$1" = aot ] && cmd=("$AOT/Roost.Cli/roost")
  "${cmd[@]}" serve --workers 2 --port "$port" --host 127.0.0.1 >/dev/null 2>&1 &
  PID=$!
  measure "roost serve --workers 2 (TLS), $1" "https://127.0.0.1:$port/"
}

builds() { # round → the builds in this round's order
  case "$WHICH" in
    both) if [ $(($1 % 2)) -eq 1 ]; then echo "jit aot"; else echo "aot jit"; fi ;;
    *) echo "$WHICH" ;;
  esac
}

echo "| program | state | RSS MB: primary / worker / worker / spare | RSS total MB | PSS total MB | private (USS) total MB | load average |"
echo "|---|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
  for b in $(builds "$round"); do test_host "$b"; done
  for b in $(builds "$round"); do roost_serve "$b"; done
done

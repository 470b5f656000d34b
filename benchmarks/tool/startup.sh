#!/usr/bin/env bash
# Cold start to the first h2 200 and idle resident memory of `roost serve`, three ways a user gets roost:
#   native  the installed tool (`dotnet tool install --tool-path`): the native roost on linux-x64/arm64
#   jit     the JIT build: `dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll` (what `dotnet run` and roost.any run)
#   exec    the one-shot `dotnet tool exec roost -- serve` (package already in NuGet's packages folder; the `dotnet`
#           launcher stays alive as roost's parent, so its memory counts)
#
#   benchmarks/tool/startup.sh [--rounds N] [--workers W] [--packages DIR] [--out FILE]
#
# Needs scripts/release.sh's packages (default artifacts/packages) and curl with HTTP/2. Rounds are interleaved
# (each round runs every contender once, in a rotated order); the table gives the median and the range. Cold start:
# from the fork of the command to the first `200` of `curl --http2 https://127.0.0.1:PORT/healthz`, polled every
# ~10 ms (each poll is a new curl process, so the resolution is a poll's length). Idle RSS: VmRSS of the started
# process and all its descendants (the primary and its workers with --workers N), 2 s after that first 200. One
# warm-up run per contender is not counted (it creates the development certificate and fills NuGet's folder).
# --workers defaults to 0 (one process; the runtimes compared without the cluster); pass 2 for the clustered default.
# The machine's load average is printed before and after: the machine may be shared.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rounds=7
workers=0
packages="$ROOT/artifacts/packages"
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --packages) packages=$(cd "$2" && pwd); shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "error: unknown argument '$1' (see the top of $0)." >&2; exit 2 ;;
  esac
done
command -v curl >/dev/null || { echo "error: curl is not installed (apt-get install -y curl)." >&2; exit 1; }
version=$(dotnet msbuild "$ROOT/src/Roost.Cli/Roost.Cli.csproj" -nologo -getProperty:Version -p:Configuration=Release)
[ -f "$packages/roost.$version.nupkg" ] || { echo "error: $packages/roost.$version.nupkg not found; run scripts/release.sh first." >&2; exit 1; }

work=$(mktemp -d -t roost-startup-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export ROOST_DEV_CERT_DIR="$work/dev-certs" NUGET_PACKAGES="$work/nuget-packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building the JIT roost and installing the tool $version from $packages"
dotnet build "$ROOT/src/Roost.Cli" -c Release -v q -nologo >/dev/null
dotnet tool install --tool-path "$work/tools" roost --add-source "$packages" --version "$version" >/dev/null
file -L "$work/tools/roost" | grep -q ELF || { echo "error: the installed roost is not a native executable." >&2; exit 1; }

command_of() { # contender -> the command line
  case "$1" in
    native) echo "$work/tools/roost" ;;
    jit) echo "dotnet $ROOT/src/Roost.Cli/bin/Release/net10.0/roost.dll" ;;
    exec) echo "dotnet tool exec --add-source $packages roost@$version --" ;;
  esac
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
descendants() { local p; for p in $(cat /proc/"$1"/task/*/children 2>/dev/null); do echo "$p"; descendants "$p"; done; }
tree_rss_mb() { # VmRSS of a process and its descendants, MB
  local total=0 p kb
  for p in "$1" $(descendants "$1"); do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    total=$((total + ${kb:-0}))
  done
  awk -v k="$total" 'BEGIN {printf "%.1f", k / 1024}'
}

measure() { # contender -> sets ms (cold start) and mb (idle RSS)
  local name=$1 port start now code pid
  port=$(free_port)
  start=$(date +%s%N)
  # The command line is split into words on purpose.
  $(command_of "$name") serve --port "$port" --host 127.0.0.1 --workers "$workers" > "$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --http2 --cacert "$ROOST_DEV_CERT_DIR/root-ca.pem" --max-time 2 \
      "https://127.0.0.1:$port/healthz" 2>/dev/null || true)
    [ "$code" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || { echo "error: $name exited before answering; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
    now=$(date +%s%N)
    [ $(( (now - start) / 1000000 )) -gt 60000 ] && { echo "error: $name did not answer within 60 s." >&2; exit 1; }
    sleep 0.01
  done
  now=$(date +%s%N)
  sleep 2
  ms=$(( (now - start) / 1000000 ))
  mb=$(tree_rss_mb "$pid")
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

contenders=(native jit exec)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== warm-up (not counted): development certificate, NuGet packages folder"
for c in "${contenders[@]}"; do measure "$c"; done
declare -A starts rsss
for r in $(seq 1 "$rounds"); do
  order=("${contenders[@]:$(( (r - 1) % 3 ))}" "${contenders[@]:0:$(( (r - 1) % 3 ))}")
  for c in "${order[@]}"; do
    measure "$c"
    starts[$c]="${starts[$c]:-} $ms"
    rsss[$c]="${rsss[$c]:-} $mb"
    printf 'round %d %-6s %5d ms %6s MB  (load %s)\n' "$r" "$c" "$ms" "$mb" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

stats() { # numbers -> "median (min–max)"
  tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%g (%g–%g)", m, a[1], a[NR]}'
}
report() {
  echo "# roost serve: cold start to the first h2 200 and idle RSS — native tool vs JIT vs dotnet tool exec"
  echo
  echo "$(date -u +%Y-%m-%d) · roost $version · $(nproc) CPUs $(uname -m) · --workers $workers · $rounds interleaved rounds (+1 warm-up)"
  echo "· load average before $load_before, after $load_after"
  echo
  echo "Command: \`benchmarks/tool/startup.sh --rounds $rounds --workers $workers\`"
  echo
  echo "| contender | command | cold start to first h2 200, ms: median (min–max) | idle RSS, MB: median (min–max) |"
  echo "|---|---|---|---|"
  for c in "${contenders[@]}"; do
    echo "| $c | \`$(command_of "$c" | sed "s|$work|<tmp>|g; s|$ROOT/||g") serve\` | $(echo "${starts[$c]}" | stats) | $(echo "${rsss[$c]}" | stats) |"
  done
}
echo
report
if [ -n "$out" ]; then
  report > "$out"
  echo "written to $out"
fi

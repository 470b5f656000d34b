#!/usr/bin/env bash
# Memory under connection load (issue 13, item 4): RSS per idle TLS connection and recovery, for `roost serve
# --workers 2` under runtime settings given as environment variables (the primary passes its environment on to its
# workers). Per configuration: a fresh roost, 2,000 idle HTTP/1.1-over-TLS connections held, closed, then RSS
# --recovery seconds later; then the same with 2,000 idle h2 connections (preface + SETTINGS).
#
#   benchmarks/abuse/memory.sh                                   the default configuration only
#   benchmarks/abuse/memory.sh default 'conserve=DOTNET_GCConserveMemory=7' 'server=DOTNET_gcServer=1'
#   ROOST=out/roost/roost benchmarks/abuse/memory.sh default     the native roost
# Options (environment): CONNECTIONS (2000), RECOVERY (60 s), ROOST (a native roost instead of the JIT roost.dll).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
connections="${CONNECTIONS:-2000}"
recovery="${RECOVERY:-60}"
work="$here/.work-memory"
rm -rf "$work"; mkdir -p "$work"
dotnet build -c Release -nologo -v q benchmarks/abuse/Roost.Abuse/Roost.Abuse.csproj > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
if [ -z "${ROOST:-}" ]; then
  dotnet build -c Release -nologo -v q src/Roost.Cli/Roost.Cli.csproj > "$work/build.log" 2>&1 || { tail -20 "$work/build.log"; exit 1; }
  roost=(dotnet src/Roost.Cli/bin/Release/net10.0/roost.dll)
else
  roost=("$ROOST")
fi
client=(dotnet benchmarks/abuse/Roost.Abuse/bin/Release/net10.0/Roost.Abuse.dll)
samples/Seed.Https/make-certs.sh "$work/ssl" > /dev/null
ulimit -n 65536 2>/dev/null || true
pid=""
cleanup() { if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
[ $# -eq 0 ] && set -- default
echo "# roost serve --workers 2 (${roost[*]##*/}), $connections idle connections, RSS $recovery s after; $(date -u +'%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for config in "$@"; do
  name="${config%%=*}"; vars=""
  [[ "$config" == *=* ]] && vars="${config#*=}"
  port=$((20000 + RANDOM % 10000))
  # shellcheck disable=SC2086
  env $vars "${roost[@]}" serve --workers 2 --host 127.0.0.1 --port "$port" --run-dir "$work/run-$name" \
    --cert "$work/ssl/edasan.goe.go.kr.cer" --key "$work/ssl/edasan.goe.go.kr.key" --ca "$work/ssl/new_caChain_change.cer" \
    > "$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ "$(curl -sk --max-time 5 -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/")" = 200 ] && break
    sleep 0.2
  done
  sleep 8 # the hot spare starts after the workers are ready
  echo "## $name (${vars:-no extra settings})"
  for alpn in h1 h2; do
    "${client[@]}" idle --target "$name=$port:$pid" --connections "$connections" --alpn "$alpn" --hold 3 --recovery "$recovery"
  done
  cleanup; pid=""
done

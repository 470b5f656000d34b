#!/usr/bin/env bash
# The abuse suite, long version: every attack of benchmarks/abuse/Roost.Abuse against Roost (`roost serve
# --workers 2`, JIT; and the native roost when one is given or already published), nginx (nginx-light, 2 workers)
# and Node 20 (the seed's http2 program with allowHTTP1), side by side in one run, interleaved (each attack on every
# server before the next attack). For each: what the server answered, a well-behaved probe's success and p99 during
# and after the attack, server CPU and RSS (whole process tree), processes that ended; then every process's RSS
# --recovery seconds after the last attack. Loopback only; every attack is bounded in connections and time.
#
#   benchmarks/abuse/run.sh                         full run (≈ 17 attacks × servers × (--seconds + --after + 1) s)
#   benchmarks/abuse/run.sh --smoke                 2 s per attack, no recovery wait, results under benchmarks/abuse/.work
#   benchmarks/abuse/run.sh --attacks slowloris,rapid-reset --contenders roost,nginx
#   benchmarks/abuse/run.sh --native out/roost/roost
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
orig_args=("$@")

seconds=8
after=3
recovery=60
attacks=""
contenders="roost,roost-native,nginx,node"
native=""
out=""
smoke=0
build=1
usage() {
  cat <<'USAGE'
Usage: benchmarks/abuse/run.sh [options]
  --seconds S        seconds per attack (default 8)
  --after S          seconds the probe keeps going after each attack (default 3)
  --recovery S       seconds to wait after the last attack before the final RSS (default 60)
  --attacks LIST     comma-separated subset (default: all; see `dotnet …/Roost.Abuse.dll --help`)
  --contenders LIST  subset of roost,roost-native,nginx,node (default: all; roost-native only with a native roost)
  --native PATH      the native roost to run as roost-native (default: out/roost/roost, then
                     benchmarks/load/.work/aot/Roost.Cli/roost, when present)
  --out FILE         report file (default benchmarks/results/<date>-abuse-<cores>cpu-<arch>.md)
  --smoke            2 s per attack, 1 s after, no recovery wait; report under benchmarks/abuse/.work
  --no-build         use the Release binaries already built
USAGE
}
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --after) after="$2"; shift 2 ;;
    --recovery) recovery="$2"; shift 2 ;;
    --attacks) attacks="$2"; shift 2 ;;
    --contenders) contenders="$2"; shift 2 ;;
    --native) native="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'." >&2; usage >&2; exit 2 ;;
  esac
done
work="$here/.work"
if [ "$smoke" = 1 ]; then
  seconds=2; after=1; recovery=0
  out="${out:-$work/smoke-results.md}"
fi
out="${out:-benchmarks/results/$(date -u +%Y-%m-%d)-abuse-$(nproc)cpu-$(uname -m).md}"
selected() { [[ ",$contenders," == *",$1,"* ]]; }

need_tool() {
  command -v "$1" >/dev/null || { echo "error: '$1' is not installed; install the Debian package '$2'." >&2; exit 1; }
}
need_tool dotnet dotnet-sdk-10.0
need_tool curl curl
need_tool openssl openssl
need_tool ss iproute2
if selected nginx; then need_tool nginx nginx-light; fi
if selected node; then need_tool node nodejs; fi

rm -rf "$work"
mkdir -p "$work/logs"
client_dll="benchmarks/abuse/Roost.Abuse/bin/Release/net10.0/Roost.Abuse.dll"
roost_dll="src/Roost.Cli/bin/Release/net10.0/roost.dll"
if [ "$build" = 1 ]; then
  echo "== building Release"
  for project in benchmarks/abuse/Roost.Abuse/Roost.Abuse.csproj src/Roost.Cli/Roost.Cli.csproj; do
    dotnet build -c Release -nologo -v q "$project" > "$work/logs/build.log" 2>&1 || { tail -n 30 "$work/logs/build.log" >&2; exit 1; }
  done
fi
if [ -z "$native" ]; then
  for candidate in out/roost/roost benchmarks/load/.work/aot/Roost.Cli/roost; do
    if [ -x "$candidate" ]; then native="$candidate"; break; fi
  done
fi
if selected roost-native && { [ -z "$native" ] || [ ! -x "$native" ]; }; then
  echo "== no native roost (publish one: dotnet publish src/Roost.Cli -c Release -r linux-x64 -o out/roost): roost-native skipped"
  contenders="${contenders//roost-native/}"
fi

# --- processes: every one started here is stopped on exit ----------------------------------------------------------
pids=()
nginx_dir=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 100); do
    local alive=0
    for pid in "${pids[@]}"; do if kill -0 "$pid" 2>/dev/null; then alive=1; fi; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$nginx_dir" ]; then rm -rf "$nginx_dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ssl="$work/ssl"
samples/Seed.Https/make-certs.sh "$ssl" > "$work/logs/certs.log"
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
taken=" "
next_port() { # sets $port: above 1024, below the ephemeral range, unused
  local p
  while true; do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if [[ "$taken" != *" $p "* ]] && [ -z "$(ss -Htan "sport = :$p")" ]; then taken+="$p "; port=$p; return; fi
  done
}

targets=()
started=()
start_roost() { # name command…
  local name="$1" port; shift
  next_port
  "$@" serve --workers 2 --host 127.0.0.1 --port "$port" --name "abuse-$name-$port" --run-dir "$work/run-$name" \
    --cert "$ssl/edasan.goe.go.kr.cer" --key "$ssl/edasan.goe.go.kr.key" --ca "$ssl/new_caChain_change.cer" \
    > "$work/logs/$name.log" 2>&1 &
  pids+=("$!"); targets+=("--target" "$name=$port:$!"); started+=("$name=$port")
}
start_nginx() {
  local port d
  next_port
  nginx_dir="$(mktemp -d "${TMPDIR:-/tmp}/roost-abuse-nginx.XXXXXX")"
  chmod 755 "$nginx_dir"
  d="$nginx_dir"
  cat "$ssl/edasan.goe.go.kr.cer" "$ssl/new_caChain_change.cer" > "$d/chain.pem"
  cp "$ssl/edasan.goe.go.kr.key" "$d/key.pem"
  cat > "$d/nginx.conf" <<NGINX
# Generated by benchmarks/abuse/run.sh: 2 workers, h2 + HTTP/1.1 on one TLS port, nginx's own limits (defaults).
worker_processes 2;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server_tokens off;
  ssl_certificate $d/chain.pem;
  ssl_certificate_key $d/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  default_type "";
  server {
    listen 127.0.0.1:$port ssl http2;
    location / { return 200 "<h1>hello Node</h1><p>hello server!</p>"; }
  }
}
NGINX
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' > "$work/logs/nginx.log" 2>&1 &
  pids+=("$!"); targets+=("--target" "nginx=$port:$!"); started+=("nginx=$port")
}
start_node() {
  local port; next_port
  PORT="$port" SSL_DIR="$ssl" node "$here/node-server.js" > "$work/logs/node.log" 2>&1 &
  pids+=("$!"); targets+=("--target" "node=$port:$!"); started+=("node=$port")
}

# Raise the open-file limit for the servers and the client (2,000 idle connections each way).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
echo "== starting: $contenders"
if selected roost; then start_roost roost dotnet "$roost_dll"; fi
if selected roost-native; then start_roost roost-native "$native"; fi
if selected nginx; then start_nginx; fi
if selected node; then start_node; fi
for entry in "${started[@]}"; do
  name="${entry%%=*}"; port="${entry#*=}"
  ok=0
  for _ in $(seq 300); do
    if [ "$(curl -sk --max-time 5 -o /dev/null -w '%{http_code}' --http2 "https://127.0.0.1:$port/")" = 200 ]; then ok=1; break; fi
    sleep 0.2
  done
  [ "$ok" = 1 ] || { echo "error: $name on port $port did not answer 200 within 60 s; its log:" >&2; tail -n 20 "$work/logs/$name.log" >&2; exit 1; }
done
sleep 5 # roost: the hot spare is started after the workers are ready

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at="$(date -u +'%Y-%m-%d %H:%M UTC')"
echo "== suite: ${seconds} s per attack, load average $load_before"
args=(suite "${targets[@]}" --seconds "$seconds" --after "$after" --recovery "$recovery" --out "$work/tables.md")
[ -n "$attacks" ] && args+=(--attacks "$attacks")
dotnet "$client_dll" "${args[@]}" | tee "$work/suite.log"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# Every contender still answers, and nobody's process tree lost its root.
failures=0
for entry in "${started[@]}"; do
  name="${entry%%=*}"; port="${entry#*=}"
  code="$(curl -sk --max-time 10 -o /dev/null -w '%{http_code}' --http2 "https://127.0.0.1:$port/" || true)"
  if [ "$code" != 200 ]; then echo "FAIL: $name answered '$code' after the suite" >&2; failures=$((failures + 1)); fi
done
mkdir -p "$(dirname "$out")"
{
  echo "# Abuse suite: Roost, nginx and Node side by side"
  echo
  echo "Run $started_at on $(nproc) CPUs ($(uname -m)), load average $load_before before, $load_after after."
  echo "Command: \`benchmarks/abuse/run.sh ${orig_args[*]}\`. Versions: $(dotnet --version) SDK; $(nginx -v 2>&1 | sed 's|.*/||'); Node $(node --version 2>/dev/null || echo -)."
  echo
  echo "Servers: **roost** = \`roost serve --workers 2\` (JIT, hot spare on: primary + 2 workers + spare)$( [ -n "$native" ] && selected roost-native && echo "; **roost-native** = the same command on the native roost (NativeAOT)" ); **nginx** = nginx-light, 2 workers, \`listen … ssl http2\`, default limits; **node** = the seed's http2 program with \`allowHTTP1\` (benchmarks/abuse/node-server.js). All on one TLS port each (ALPN h2 + http/1.1), loopback."
  echo
  echo "*Probe*: a GET every 100 ms alternating h2 and HTTP/1.1, 5 s timeout, connections renewed every 2 s; success share and p99 during the attack and in the ${after} s after it. *CPU*: server tree CPU time ÷ attack wall time. *RSS*: sum over the server's process tree. *what it answered*: per attacking connection, what the server sent and how the connection ended (closed = FIN, reset = RST, open = still open when the attack stopped)."
  echo
  cat "$work/tables.md"
} > "$out"
echo "== report: $out"
[ "$failures" -eq 0 ] || exit 1

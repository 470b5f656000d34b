#!/usr/bin/env bash
# End-to-end load benchmark against the peers: Roost (façade single process, cluster per listener-sharing strategy)
# vs a minimal raw Kestrel app, nginx and the seed's Node programs, on loopback, interleaved, with ratios vs each
# anchor, memory (RSS of every process of a contender), server CPU per request, and charts.
#
#   benchmarks/load/run.sh                 full run: 3 interleaved rounds of 5 s per contender and scenario (≈ 17 min)
#   benchmarks/load/run.sh --smoke         CI: 1 round of 1 s; fails unless every contender answered correctly
#   benchmarks/load/run.sh --help          all flags
#
# Steps: 1 build Release → 2 certificate chain + 100 KB file → 3 `openssl speed` (the handshake ceiling) →
# 4 start every contender on 127.0.0.1 → 5 check each answers byte-exact, idle RSS → 6 per scenario: warm up, then
# rounds A,B,C / B,C,A / … → 7 check again, RSS after load → 8 results: Markdown + CSV + charts. See README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
orig_args=("$@")

rounds=3
duration=5
warmup=2
smoke=0
build=1
jit_build=1
charts=1
out=""
machine=""
connections=50
streams=10
client_threads=1
rate=2000
only_scenarios=""
only_contenders=""
roost_aot_given=""

usage() {
  cat <<'USAGE'
Usage: benchmarks/load/run.sh [options]

  --rounds N          interleaved rounds per scenario (default 3; at least 3 for a full run)
  --duration S        seconds per measurement (default 5)
  --warmup S          seconds of warm-up per contender and scenario, not measured (default 2)
  --smoke             1 round of 1 s, no warm-up, results under benchmarks/load/.work; exits non-zero
                      unless every contender answered every scenario with the right bytes and no errors
  --connections N     client connections for the throughput scenarios (default 50)
  --streams N         concurrent HTTP/2 streams per connection for h2load -m (default 10)
  --client-threads N  h2load -t / wrk -t (default 1: the client shares the cores with the server)
  --rate N            total requests per second of the latency scenario (default 2000; 10 connections)
  --scenarios LIST    comma-separated subset of: h2-tls,h1-tls,h1,handshake,static,latency;
                      or `returning` alone: returning clients (session resumption) vs full handshakes, P-256 and
                      RSA-2048 chains, roost cluster / one process / nginx 2 workers (benchmarks/load/returning.sh)
  --contenders LIST   comma-separated subset of the contenders (see README.md)
  --machine NAME      machine name in the results file name (default <cores>cpu-<arch>)
  --out FILE          results file (default benchmarks/results/<date>-<machine>.md; CSV + charts in the
                      folder of the same name)
  --no-build          use the Release binaries already built (JIT and NativeAOT)
  --no-jit-build      use the JIT Release binaries already built (CI: the solution build), still publish NativeAOT
  --roost-aot FILE    the native roost for roost-serve-aot, already made (e.g. the one scripts/release.sh unpacked
                      under artifacts/release/): src/Roost.Cli is then not published with NativeAOT again
  --no-charts         do not render the charts (CSV and Markdown only)
USAGE
}

# The returning-clients scenario has its own servers (two chains) and client: benchmarks/load/returning.sh.
if [ "${1:-}" = --scenarios ] && [ "${2:-}" = returning ]; then
  exec "$(dirname "${BASH_SOURCE[0]}")/returning.sh" "$@"
fi

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --connections) connections="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --client-threads) client_threads="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --scenarios) only_scenarios="$2"; shift 2 ;;
    --contenders) only_contenders="$2"; shift 2 ;;
    --machine) machine="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-jit-build) jit_build=0; shift ;;
    --roost-aot) roost_aot_given="${2:?--roost-aot needs the path of a native roost}"; shift 2 ;;
    --no-charts) charts=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'." >&2; usage >&2; exit 2 ;;
  esac
done

for n in rounds duration warmup connections streams client_threads rate; do
  if ! [[ "${!n}" =~ ^[0-9]+$ ]] || { [ "${!n}" -eq 0 ] && [ "$n" != warmup ]; }; then
    echo "error: --${n//_/-} must be a whole number (above 0, except --warmup); got '${!n}'." >&2
    exit 2
  fi
done
if [ -n "$roost_aot_given" ] && [ ! -x "$roost_aot_given" ]; then
  echo "error: --roost-aot '$roost_aot_given' is not an executable file; give the native roost (e.g. artifacts/release/roost-<version>-<rid>/roost) or leave the option out to publish one." >&2
  exit 2
fi
if [ "$rate" -lt 10 ]; then
  echo "error: --rate must be at least 10 (10 connections × 1 req/s); got '$rate'." >&2
  exit 2
fi

work="$here/.work"
machine="${machine:-$(nproc)cpu-$(uname -m)}"
if [ "$smoke" = 1 ]; then
  rounds=1; duration=1; warmup=0
  out="${out:-$work/smoke-results.md}"
elif [ "$rounds" -lt 3 ]; then
  echo "error: a full run needs at least 3 rounds (medians); got --rounds $rounds. Use --smoke for a quick check." >&2
  exit 2
fi
out="${out:-benchmarks/results/$(date -u +%Y-%m-%d)-$machine.md}"
data_dir="${out%.md}"

# ---------------------------------------------------------------------------------------------------------------
# The tables the harness is driven by. A new scenario is one line here plus a case in client_command; a new
# contender is one line here plus a case in start_contender.
#
# Scenarios: id | listener it loads | client | what it is
scenarios=(
  "h2-tls|h2-tls|h2load|HTTP/2 over TLS (ALPN h2), many streams"
  "h1-tls|h1-tls|h2load-h1|HTTP/1.1 over TLS, keep-alive"
  "h1|h1|wrk|cleartext HTTP/1.1, keep-alive"
  "handshake|h1-tls|s_time|new full TLS handshakes, one request each, no session resumption"
  "static|static|h2load-static|100 KB static file over HTTP/1.1 + TLS"
  "latency|h1-tls|h2load-rate|latency at a fixed moderate rate over HTTP/1.1 + TLS"
)
# Contenders: id | scenarios it runs | what it is
contenders=(
  "raw-two-writes|h2-tls,h1-tls,h1|raw Kestrel, two \`await Response.WriteAsync\` (the seed handler as Kestrel users write it)"
  "raw-one-write|h2-tls,h1-tls,h1,handshake,static,latency|raw Kestrel, Content-Length + one write (**anchor**; static file: \`SendFileAsync\`)"
  "nginx|h2-tls,h1-tls,h1,handshake,static,latency|nginx-light, \`worker_processes auto\`, \`return 200 \"…\"\` (**anchor**; static file: \`root\`)"
  "node-http2|h2-tls|the seed's http2 program (\`http2.createSecureServer\`) (**anchor** on h2-tls)"
  "node-https|h1-tls,handshake,latency|the seed's https program (\`https.createServer\`) (**anchor** on h1-tls, handshake, latency)"
  "node-http|h1|the seed handler on \`http.createServer\`, one process"
  "node-cluster|h1|the seed's cluster program (one worker per CPU, \`http\`; its own 34-byte body) (**anchor** on h1)"
  "node-https-cluster|h1-tls,handshake|the seed's cluster program with its https server in each worker (what a Node user writes)"
  "facade|h2-tls,h1-tls,h1,handshake,static,latency|Roost façade, one process, seed handler (\`res.Write\` + \`res.End\`); static file from memory"
  "cluster-reuseport|h2-tls,h1-tls,h1,handshake,latency|Roost cluster, \`auto\` workers, ListenerSharing = ReusePort (the managed-mode default)"
  "cluster-handoff|h2-tls,h1-tls,h1,handshake|Roost cluster, \`auto\` workers, ListenerSharing = Handoff"
  "cluster-shared|h2-tls,h1-tls,h1,handshake|Roost cluster, \`auto\` workers, ListenerSharing = Shared"
  "cluster-aot|h2-tls,h1-tls,h1,handshake,latency|cluster-reuseport's program published with NativeAOT (\`dotnet publish -p:PublishAot=true\`), run as the native executable: \`--workers auto --sharing reuseport\`"
  "roost-serve|static|\`roost serve --root\`, \`auto\` workers: the 100 KB file from a folder (ASP.NET Core's static-file middleware: ETag, ranges)"
  "roost-serve-aot|static|\`roost serve --root\` as roost-serve, the native \`roost\` (src/Roost.Cli published with NativeAOT)"
  "roost-run|h2-tls,h1-tls|\`roost run --workers auto\` of samples/HelloApp, an unmodified ASP.NET Core app (its own body, checked by prefix; skipped while \`roost run\` or the sample is not in this build)"
)
# The Node anchor of each scenario: the seed's program for it.
declare -A node_anchor=([h2-tls]=node-http2 [h1-tls]=node-https [h1]=node-cluster [handshake]=node-https [latency]=node-https)
# Goals (issue 6): scenario | numerator | denominator | minimum ratio | metric (rps: req/s; eff: per server CPU-s) | goal
goals=(
  "h2-tls|facade|raw-one-write|0.95|rps|façade ≥ 0.95× raw Kestrel, h2 TLS"
  "h1-tls|facade|raw-one-write|0.95|rps|façade ≥ 0.95× raw Kestrel, h1 TLS"
  "h1|facade|raw-one-write|0.95|rps|façade ≥ 0.95× raw Kestrel, cleartext"
  "handshake|facade|raw-one-write|0.95|rps|façade ≥ 0.95× raw Kestrel, new TLS handshakes"
  "static|facade|raw-one-write|0.95|rps|façade ≥ 0.95× raw Kestrel, 100 KB file"
  "h1-tls|facade|raw-two-writes|1.30|rps|façade ≥ 1.3× raw Kestrel two-writes, h1 TLS (coalescing)"
  "h2-tls|cluster-reuseport|nginx|1.00|rps|cluster ≥ 1.0× nginx, h2 TLS"
  "h1-tls|cluster-reuseport|nginx|1.00|rps|cluster ≥ 1.0× nginx, h1 TLS"
  "h1|cluster-reuseport|nginx|0.90|rps|cluster ≥ 0.9× nginx, cleartext"
  "h2-tls|cluster-reuseport|node-http2|3.50|rps|cluster ≥ 3.5× the seed's Node http2"
  "h1-tls|cluster-reuseport|node-https|1.40|rps|cluster ≥ 1.4× the seed's Node https"
  "h1|cluster-reuseport|node-cluster|1.45|rps|cluster ≥ 1.45× the seed's Node cluster"
  "h2-tls|cluster-reuseport|nginx|0.90|eff|cluster requests per server CPU-s ≥ 0.9× nginx, h2 TLS"
  "h1-tls|cluster-reuseport|nginx|0.90|eff|cluster requests per server CPU-s ≥ 0.9× nginx, h1 TLS"
  "h1|cluster-reuseport|nginx|0.90|eff|cluster requests per server CPU-s ≥ 0.9× nginx, cleartext"
  "handshake|cluster-reuseport|nginx|0.90|eff|cluster full handshakes per server CPU-s ≥ 0.9× nginx"
  "h2-tls|cluster-aot|nginx|1.00|rps|AOT cluster ≥ 1.0× nginx, h2 TLS"
  "h1-tls|cluster-aot|nginx|1.00|rps|AOT cluster ≥ 1.0× nginx, h1 TLS"
  "h1|cluster-aot|nginx|0.90|rps|AOT cluster ≥ 0.9× nginx, cleartext"
  "h2-tls|cluster-aot|node-http2|3.50|rps|AOT cluster ≥ 3.5× the seed's Node http2"
  "h1-tls|cluster-aot|node-https|1.40|rps|AOT cluster ≥ 1.4× the seed's Node https"
  "h1|cluster-aot|node-cluster|1.45|rps|AOT cluster ≥ 1.45× the seed's Node cluster"
  "h2-tls|cluster-aot|nginx|0.90|eff|AOT cluster requests per server CPU-s ≥ 0.9× nginx, h2 TLS"
  "h1-tls|cluster-aot|nginx|0.90|eff|AOT cluster requests per server CPU-s ≥ 0.9× nginx, h1 TLS"
  "h1|cluster-aot|nginx|0.90|eff|AOT cluster requests per server CPU-s ≥ 0.9× nginx, cleartext"
  "handshake|cluster-aot|nginx|0.90|eff|AOT cluster full handshakes per server CPU-s ≥ 0.9× nginx"
  "handshake|facade|nginx|0.90|eff|façade full handshakes per server CPU-s ≥ 0.9× nginx"
)
# Memory goals (issue 6): contender | which RSS | maximum MB | goal
memory_goals=(
  "cluster-reuseport|primary-idle|40|cluster primary ≤ 40 MB RSS"
  "cluster-reuseport|total-idle|130|cluster primary + workers ≤ 130 MB RSS idle ($(nproc) workers here)"
  "cluster-aot|primary-idle|40|AOT cluster primary ≤ 40 MB RSS"
  "cluster-aot|total-idle|130|AOT cluster primary + workers ≤ 130 MB RSS idle ($(nproc) workers here)"
)
# ---------------------------------------------------------------------------------------------------------------

selected() { # list item → 0 when item is in the comma-separated list (or the list is empty)
  [ -z "$1" ] || [[ ",$1," == *",$2,"* ]]
}
field() { # "a|b|c" index → the index-th field (1-based)
  local IFS='|'
  local -a parts
  read -r -a parts <<< "$1"
  echo "${parts[$(($2 - 1))]}"
}

declare -A runs_in # contender/scenario → 1
active_scenarios=()
for s in "${scenarios[@]}"; do
  if selected "$only_scenarios" "$(field "$s" 1)"; then active_scenarios+=("$s"); fi
done
active_contenders=()
for c in "${contenders[@]}"; do
  id="$(field "$c" 1)"
  if ! selected "$only_contenders" "$id"; then continue; fi
  any=0
  for s in "${active_scenarios[@]}"; do
    if selected "$(field "$c" 2)" "$(field "$s" 1)"; then runs_in[$id/$(field "$s" 1)]=1; any=1; fi
  done
  if [ "$any" = 1 ]; then active_contenders+=("$id"); fi
done
if [ ${#active_scenarios[@]} -eq 0 ] || [ ${#active_contenders[@]} -eq 0 ]; then
  echo "error: no scenario or no contender selected (--scenarios '$only_scenarios', --contenders '$only_contenders')." >&2
  exit 2
fi
has() { printf '%s\n' "${active_contenders[@]}" | grep -qx "$1"; }

need_tool() { # command package
  if ! command -v "$1" >/dev/null; then
    echo "error: '$1' is not installed; install the Debian package '$2' (apt-get install -y $2)." >&2
    exit 1
  fi
}
need_tool dotnet dotnet-sdk-10.0
need_tool curl curl
need_tool openssl openssl
need_tool h2load nghttp2-client
need_tool wrk wrk
need_tool ss iproute2
if printf '%s\n' "${active_contenders[@]}" | grep -q '^node'; then need_tool node nodejs; fi
if has nginx; then need_tool nginx nginx-light; fi

rm -rf "$work/logs" "$work/runs"
mkdir -p "$work/logs" "$work/runs"
rounds_csv="$work/rounds.csv"
echo "scenario,round,contender,rps,ok,errors,server_cpu_s,other_cores,p50_ms,p99_ms" > "$rounds_csv"
: > "$work/warmups.tsv"
printf '%s' '<h1>hello Node</h1><p>hello server!</p>' > "$work/expected-body"
printf '%s' '<h1>hello Node!</h1><p>Bye Bye</p>' > "$work/expected-body-node-cluster"
failures=0
fail() {
  echo "FAIL: $*" >&2
  echo "$*" >> "$work/failures.txt"
  failures=$((failures + 1))
}
: > "$work/failures.txt"
: > "$work/skipped.txt"
skip() { # contender reason
  echo "== skipped $1: $2"
  printf '%s\t%s\n' "$1" "$2" >> "$work/skipped.txt"
}

# --- processes: every one we start is recorded and stopped on exit, whatever happens -------------------------------
pids=()
client_pid=""
nginx_dir=""
cleanup() {
  local pid
  if [ -n "$client_pid" ]; then
    kill -TERM "$client_pid" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 100); do
    local alive=0
    for pid in "${pids[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -n "$nginx_dir" ]; then rm -rf "$nginx_dir"; nginx_dir=""; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build ------------------------------------------------------------------------------------------------------
raw_dll="benchmarks/load/RawKestrel/bin/Release/net10.0/RawKestrel.dll"
facade_dll="benchmarks/load/FacadeSeed/bin/Release/net10.0/FacadeSeed.dll"
roost_dll="src/Roost.Cli/bin/Release/net10.0/roost.dll"
charts_dll="benchmarks/Roost.BenchmarkCharts/bin/Release/net10.0/Roost.BenchmarkCharts.dll"
projects=(benchmarks/load/RawKestrel/RawKestrel.csproj benchmarks/load/FacadeSeed/FacadeSeed.csproj src/Roost.Cli/Roost.Cli.csproj)
if [ "$charts" = 1 ]; then projects+=(benchmarks/Roost.BenchmarkCharts/Roost.BenchmarkCharts.csproj); fi
hello_project=samples/HelloApp/HelloApp.csproj
hello_dll=samples/HelloApp/bin/Release/net10.0/HelloApp.dll
if [ -f "$hello_project" ] && selected "$only_contenders" roost-run; then projects+=("$hello_project"); fi
if [ "$build" = 1 ] && [ "$jit_build" = 1 ]; then
  echo "== building Release"
  for project in "${projects[@]}"; do
    if ! dotnet build -c Release -nologo -v q "$project" > "$work/logs/build.log" 2>&1; then
      tail -n 30 "$work/logs/build.log" >&2
      echo "error: building $project failed (log above)." >&2
      exit 1
    fi
  done
fi
for dll in "$raw_dll" "$facade_dll"; do
  [ -f "$dll" ] || { echo "error: '$dll' is missing; run without --no-build." >&2; exit 1; }
done
# The NativeAOT contenders: FacadeSeed and roost published with PublishAot into .work/aot (benchmarks/publish-aot.sh:
# both at once; each in its own artifacts folder, so an unchanged source skips the native compilation next time).
aot_dir="$work/aot"
facade_aot="$aot_dir/FacadeSeed/FacadeSeed"
roost_aot="$aot_dir/Roost.Cli/roost"
aot_projects=()
if has cluster-aot; then aot_projects+=(benchmarks/load/FacadeSeed/FacadeSeed.csproj); fi
# --roost-aot: a native roost made elsewhere (CI: the release archive's), so the same code is not compiled twice.
if [ -n "$roost_aot_given" ]; then
  roost_aot="$(cd "$(dirname "$roost_aot_given")" && pwd)/$(basename "$roost_aot_given")"
elif has roost-serve-aot; then
  aot_projects+=(src/Roost.Cli/Roost.Cli.csproj)
fi
aot_publish_seconds="-"
if [ ${#aot_projects[@]} -gt 0 ]; then
  if [ "$build" = 1 ]; then
    echo "== publishing NativeAOT: ${aot_projects[*]}"
    t_publish=$SECONDS
    benchmarks/publish-aot.sh "$aot_dir" "${aot_projects[@]}" || exit 1
    aot_publish_seconds=$((SECONDS - t_publish))
    echo "   published in $aot_publish_seconds s"
  fi
  for exe in "$facade_aot" "$roost_aot"; do
    case "$exe" in
      "$facade_aot") has cluster-aot || continue ;;
      "$roost_aot") has roost-serve-aot || continue ;;
    esac
    [ -x "$exe" ] || { echo "error: the NativeAOT executable '$exe' is missing; run without --no-build." >&2; exit 1; }
  done
fi

# --- 2. certificates (the seed's file names, made by the sample's script) and the 100 KB file ----------------------
ssl="$work/ssl"
samples/Seed.Https/make-certs.sh "$ssl" > "$work/logs/certs.log"
static_file="$work/100k.bin"
# Deterministic, incompressible bytes: AES-CTR of zeros with a fixed key (the same file in every run).
if [ ! -f "$static_file" ] || [ "$(stat -c %s "$static_file")" != 102400 ]; then
  { openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 \
    -in /dev/zero 2>/dev/null || true; } | head -c 102400 > "$static_file"
fi

# --- 3. openssl speed: the sign rate of one core is the ceiling of full handshakes per CPU-second -------------------
speed_seconds=1
: > "$work/logs/openssl-speed.txt"
if [ "$smoke" = 0 ]; then
  echo "== openssl speed (ecdsap256, rsa2048; ${speed_seconds} s each)"
  openssl speed -seconds "$speed_seconds" ecdsap256 rsa2048 > "$work/logs/openssl-speed.txt" 2>/dev/null || true
fi
ecdsa_sign="$(awk '/256 bits ecdsa \(nistp256\)/ { print $(NF - 1) }' "$work/logs/openssl-speed.txt" | tail -1)"
rsa_sign="$(awk '/^rsa 2048 bits/ { print $(NF - 1) }' "$work/logs/openssl-speed.txt" | tail -1)"
ecdsa_sign="${ecdsa_sign:--}"; rsa_sign="${rsa_sign:--}"

# --- 4. contenders -------------------------------------------------------------------------------------------------
declare -A port_of roots_of
taken=" "
# Ports above 1024 and below the kernel's ephemeral range, so no client connection (ours or anyone's) can be
# holding one, and not used by any TCP socket in any state right now. Sets $port (no subshell: `taken` must stick).
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
next_port() {
  local p
  while true; do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if [[ "$taken" != *" $p "* ]] && [ -z "$(ss -Htan "sport = :$p")" ]; then
      taken+="$p "
      port=$p
      return
    fi
  done
}

start_dotnet() { # contender dll args...   (dll: a .dll run by `dotnet`, or a native executable run as is)
  local name="$1" dll="$2" h1tls h2tls h1 port
  shift 2
  local -a host=(dotnet "$dll")
  [[ "$dll" == *.dll ]] || host=("$dll")
  next_port; h1tls=$port; next_port; h2tls=$port; next_port; h1=$port
  "${host[@]}" "$@" --h1-tls "$h1tls" --h2-tls "$h2tls" --h1 "$h1" > "$work/logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  roots_of[$name]="$pid"
  port_of[$name/h1-tls]=$h1tls; port_of[$name/h2-tls]=$h2tls; port_of[$name/h1]=$h1; port_of[$name/static]=$h1tls
}

start_node() { # contender listener script
  local name="$1" listener="$2" script="$3" port
  next_port
  PORT="$port" SSL_DIR="$ssl" node "benchmarks/load/node/$script" > "$work/logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  port_of[$name/$listener]=$port
  roots_of[$name]="$pid"
}

start_nginx() { # contender
  local name="$1" h1tls h2tls h1 port
  next_port; h1tls=$port; next_port; h2tls=$port; next_port; h1=$port
  # Everything in a temp dir readable by nginx's workers (as root they run as `nobody`): no path of the system's
  # nginx is read or written, so it runs as any user.
  nginx_dir="$(mktemp -d "${TMPDIR:-/tmp}/roost-bench-nginx.XXXXXX")"
  chmod 755 "$nginx_dir"
  mkdir -p "$nginx_dir/www/static"
  cp "$static_file" "$nginx_dir/www/static/100k.bin"
  cat "$ssl/edasan.goe.go.kr.cer" "$ssl/new_caChain_change.cer" > "$nginx_dir/chain.pem"
  cp "$ssl/edasan.goe.go.kr.key" "$nginx_dir/key.pem"
  chmod -R a+rX "$nginx_dir/www"
  local d="$nginx_dir"
  cat > "$d/nginx.conf" <<NGINX
# Generated by benchmarks/load/run.sh. Same response as the seed: 39 bytes, no Content-Type (default_type ""),
# no Server version (server_tokens off; nginx-light cannot drop the "Server: nginx" header itself).
worker_processes auto;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $d/client_body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  server_tokens off;
  keepalive_requests 1000000;
  ssl_certificate $d/chain.pem;
  ssl_certificate_key $d/key.pem;
  # nginx 1.22's default is TLSv1 TLSv1.1 TLSv1.2 (TLSv1.3 joined the default in 1.23.4): without this line nginx
  # served TLS 1.2 while every .NET and Node contender negotiated TLS 1.3 with the same clients.
  ssl_protocols TLSv1.2 TLSv1.3;
  default_type "";
  server {
    listen 127.0.0.1:$h1tls ssl;
    listen 127.0.0.1:$h2tls ssl http2;
    listen 127.0.0.1:$h1;
    location / { return 200 "<h1>hello Node</h1><p>hello server!</p>"; }
    location /static/ { default_type application/octet-stream; root $d/www; }
  }
}
NGINX
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g 'daemon off;' > "$work/logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  roots_of[$name]="$pid"
  port_of[$name/h1-tls]=$h1tls; port_of[$name/h2-tls]=$h2tls; port_of[$name/h1]=$h1; port_of[$name/static]=$h1tls
}

# The commands of the roost CLI in this build (for the slots), read once.
roost_commands=""
if [ -f "$roost_dll" ]; then
  roost_commands="$(dotnet "$roost_dll" --help 2>/dev/null | sed -n '/^Commands:/,$p' || true)"
fi
roost_serve_help=""
tls_args=(--cert "$ssl/edasan.goe.go.kr.cer" --key "$ssl/edasan.goe.go.kr.key")
start_contender() {
  case "$1" in
    raw-two-writes|raw-one-write)
      # The raw app gets the intermediate as its chain; the façade gets root + intermediate as the note's `ca`
      # lists them (the façade drops the root, as the handshake must not carry it).
      start_dotnet "$1" "$raw_dll" --mode "${1#raw-}" "${tls_args[@]}" --ca "$ssl/new_caChain_change.cer" --static "$static_file" ;;
    facade)
      start_dotnet "$1" "$facade_dll" "${tls_args[@]}" --ca "$ssl/new_rootca.cer" --ca "$ssl/new_caChain_change.cer" --static "$static_file" ;;
    cluster-reuseport|cluster-handoff|cluster-shared)
      start_dotnet "$1" "$facade_dll" "${tls_args[@]}" --ca "$ssl/new_rootca.cer" --ca "$ssl/new_caChain_change.cer" \
        --workers auto --sharing "${1#cluster-}" ;;
    cluster-aot)
      start_dotnet "$1" "$facade_aot" "${tls_args[@]}" --ca "$ssl/new_rootca.cer" --ca "$ssl/new_caChain_change.cer" \
        --workers auto --sharing reuseport ;;
    nginx) start_nginx nginx ;;
    node-https) start_node "$1" h1-tls https.js ;;
    node-http2) start_node "$1" h2-tls http2.js ;;
    node-http) start_node "$1" h1 http.js ;;
    node-cluster) start_node "$1" h1 cluster.js ;;
    node-https-cluster) start_node "$1" h1-tls https-cluster.js ;;
    roost-serve|roost-serve-aot)
      # `roost serve --root` of a folder holding only static/100k.bin (the same path nginx serves; never .work itself,
      # which holds the private key). Skipped with the reason on a build whose serve has no --root.
      # roost-serve-aot: the same command on the native roost.
      local -a roost=(dotnet "$roost_dll")
      [ "$1" = roost-serve-aot ] && roost=("$roost_aot")
      roost_serve_help=""
      if [[ "$roost_commands" == *serve* ]]; then roost_serve_help="$("${roost[@]}" serve --help 2>/dev/null || true)"; fi
      if [[ "$roost_serve_help" == *--root* ]]; then
        local port www="$work/www"; next_port
        if [ ! -f "$www/static/100k.bin" ]; then
          rm -rf "$www"; mkdir -p "$www/static"; cp "$static_file" "$www/static/100k.bin"
        fi
        "${roost[@]}" serve --workers auto --host 127.0.0.1 --port "$port" --root "$www" \
          "${tls_args[@]}" --ca "$ssl/new_caChain_change.cer" > "$work/logs/$1.log" 2>&1 &
        pids+=("$!"); roots_of[$1]="$!"; port_of[$1/static]=$port
      else
        skip "$1" "\`roost serve\` has no static-file option (--root) in this build: it serves only its built-in welcome page"
      fi ;;
    roost-run)
      # SLOT: `roost run` of samples/HelloApp (both built in another branch): runs once they are merged.
      # (`roost run --help` exits 0 even without the command: System.CommandLine prints the root help. Look for it
      # in the list of commands instead.)
      if ! printf '%s\n' "$roost_commands" | grep -qE '^ +run( |$)'; then
        skip "$1" "\`roost run\` is not available in this build"
      elif [ ! -f "$hello_dll" ]; then
        skip "$1" "the sample app $hello_dll is not built (samples/HelloApp missing from this build?)"
      else
        # One port, ALPN h2 + HTTP/1.1: the h2-tls and h1-tls scenarios load the same port.
        local port; next_port
        dotnet "$roost_dll" run "$hello_dll" --workers auto --host 127.0.0.1 --port "$port" \
          "${tls_args[@]}" --ca "$ssl/new_caChain_change.cer" > "$work/logs/$1.log" 2>&1 &
        pids+=("$!"); roots_of[$1]="$!"; port_of[$1/h1-tls]=$port; port_of[$1/h2-tls]=$port
      fi ;;
    *) echo "error: no start rule for contender '$1'." >&2; exit 1 ;;
  esac
}

echo "== starting contenders: ${active_contenders[*]}"
for c in "${active_contenders[@]}"; do
  start_contender "$c"
done
# Contenders that were skipped (slots) leave the lists.
running=()
for c in "${active_contenders[@]}"; do
  if [ -n "${roots_of[$c]:-}" ]; then running+=("$c"); fi
done
active_contenders=("${running[@]}")

# --- 5./7. correctness: curl trusting only the root, body byte-exact, right protocol ------------------------------
check() { # contender listener → 0 when the answer is right; otherwise prints why
  local name="$1" listener="$2" port="${port_of[$1/$2]}" want args url got expected="$work/expected-body"
  [ "$name" = node-cluster ] && expected="$work/expected-body-node-cluster"
  case "$listener" in
    h2-tls) want=2; url="https://localhost:$port/"
      args=(--http2 --cacert "$ssl/new_rootca.cer" --resolve "localhost:$port:127.0.0.1") ;;
    h1-tls) want=1.1; url="https://localhost:$port/"
      args=(--http1.1 --cacert "$ssl/new_rootca.cer" --resolve "localhost:$port:127.0.0.1") ;;
    static) want=1.1; url="https://localhost:$port/static/100k.bin"; expected="$static_file"
      args=(--http1.1 --cacert "$ssl/new_rootca.cer" --resolve "localhost:$port:127.0.0.1") ;;
    h1) want=1.1; url="http://127.0.0.1:$port/"; args=(--http1.1) ;;
  esac
  rm -f "$work/body"
  if ! got="$(curl --silent --show-error --max-time 10 --output "$work/body" --write-out '%{http_version} %{http_code}' \
    "${args[@]}" "$url" 2>&1)"; then
    echo "curl $url failed: $got"
    return 1
  fi
  if [ "$got" != "$want 200" ]; then
    echo "expected HTTP/$want 200 from $url, got '$got'"
    return 1
  fi
  if [ "$name" = roost-run ]; then
    # HelloApp's body names its version, pid and protocol: check the part every worker sends alike.
    if ! grep -q '^Hello from HelloApp ' "$work/body"; then
      echo "wrong body from $url: '$(head -c 100 "$work/body")' (expected 'Hello from HelloApp …')"
      return 1
    fi
  elif ! cmp -s "$work/body" "$expected"; then
    echo "wrong body from $url ($(stat -c %s "$work/body") bytes): '$(head -c 100 "$work/body")'"
    return 1
  fi
}

wait_ready() { # contender listener: up to 60 s for the first right answer
  local name="$1" listener="$2" why="" root
  for _ in $(seq 300); do
    if why="$(check "$name" "$listener")"; then
      return 0
    fi
    for root in ${roots_of[$name]}; do
      if ! kill -0 "$root" 2>/dev/null; then break 2; fi
    done
    sleep 0.2
  done
  fail "$name/$listener did not answer correctly: $why"
  tail -n 20 "$work/logs/$name"*.log >&2 || true
  return 1
}

check_all() { # phase
  local s c scenario listener why
  declare -A done_checks=()
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"; listener="$(field "$s" 2)"
    for c in "${active_contenders[@]}"; do
      if [ -z "${runs_in[$c/$scenario]:-}" ] || [ -n "${done_checks[$c/$listener]:-}" ]; then continue; fi
      done_checks[$c/$listener]=1
      if [ "$1" = before ]; then
        wait_ready "$c" "$listener" || true
      elif ! why="$(check "$c" "$listener")"; then
        fail "$c/$listener after the load: $why"
      fi
    done
  done
}

# --- process trees: CPU time and RSS of every process of a contender -----------------------------------------------
tree_pids() { # root pids… → the roots and all their descendants (one a line)
  local p queue=("$@")
  while [ ${#queue[@]} -gt 0 ]; do
    p="${queue[0]}"; queue=("${queue[@]:1}")
    [ -d "/proc/$p" ] || continue
    echo "$p"
    # shellcheck disable=SC2207
    queue+=($(cat /proc/"$p"/task/*/children 2>/dev/null))
  done
}
clk_tck="$(getconf CLK_TCK)"
tree_ticks() { # contender → utime + stime of all its processes, clock ticks (fields 14 and 15 of /proc/pid/stat)
  local p total=0 t
  for p in $(tree_pids ${roots_of[$1]}); do
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')" || t=0
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
memory_of() { # contender → "processes primary-MB total-MB" (primary: the root process(es))
  local p n=0 primary=0 total=0 kb
  for p in ${roots_of[$1]}; do primary=$((primary + $(rss_kb "$p"))); done
  for p in $(tree_pids ${roots_of[$1]}); do
    kb="$(rss_kb "$p")"; total=$((total + ${kb:-0})); n=$((n + 1))
  done
  awk -v n="$n" -v a="$primary" -v b="$total" 'BEGIN { printf "%d %.1f %.1f\n", n, a / 1024, b / 1024 }'
}

check_all before
if [ "$failures" -gt 0 ]; then
  echo "error: $failures contender(s) did not answer correctly; not measuring." >&2
  exit 1
fi
echo "== every contender answers byte-exact"
sleep 2
declare -A memory_idle memory_after
for c in "${active_contenders[@]}"; do memory_idle[$c]="$(memory_of "$c")"; done

# --- 6. measurement ------------------------------------------------------------------------------------------------
# --warm-up-time: connections (TLS handshakes) are made before the measured window starts. The smoke run counts
# requests instead (-n): a 1 s window without warm-up can close before a slow contender has connected at all, and
# h2load's timed mode then waits long for the streams in flight.
length=(--warm-up-time=1 -D)
[ "$smoke" = 1 ] && length=(-n)
static_connections=$((connections < 20 ? connections : 20))
client_command() { # client url seconds file → sets cmd (array)
  local h2n=$3 h1n=$3 staticn=$3
  if [ "$smoke" = 1 ]; then h2n=2000; h1n=1000; staticn=200; fi
  case "$1" in
    h2load) cmd=(h2load -t "$client_threads" -c "$connections" -m "$streams" "${length[@]}" "$h2n" "$2") ;;
    h2load-h1) cmd=(h2load --h1 -t "$client_threads" -c "$connections" -m 1 "${length[@]}" "$h1n" "$2") ;;
    h2load-static) cmd=(h2load --h1 -t "$client_threads" -c "$static_connections" -m 1 "${length[@]}" "$staticn" "$2") ;;
    # 10 connections, each at rate/10 requests per second; every request's latency goes to the log file.
    h2load-rate) cmd=(h2load --h1 -t 1 -c 10 -m 1 --rps "$((rate / 10))" -D "$3" --log-file "$4.log" "$2") ;;
    wrk) cmd=(wrk -t "$client_threads" -c "$connections" -d "${3}s" "$2") ;;
    # Two sequential clients side by side (one per core of this machine's load budget), each a new TCP
    # connection + full handshake (-new: never resumes) + GET / per iteration.
    s_time) local hostport="${2#https://}"; hostport="${hostport%/}"
      cmd=(bash -c 'openssl s_time -connect "$1" -new -www / -time "$2" > "$3.1" 2>&1 &
                    openssl s_time -connect "$1" -new -www / -time "$2" > "$3.2" 2>&1 &
                    wait; cat "$3.1" "$3.2"' s_time "$hostport" "$3" "$4") ;;
  esac
}
describe_client() { # client → the command as the results show it
  local cmd
  case "$1" in
    s_time) echo "2 × \`openssl s_time -connect 127.0.0.1:PORT -new -www / -time $duration\` side by side" ;;
    *) client_command "$1" "URL" "$duration" "FILE"; echo "\`${cmd[*]}\`" ;;
  esac
}

# Prints "req/s requests errors" from the client's output (s_time: connections; req/s from the wall time).
parse_client() { # client output-file wall-seconds
  case "$1" in
    h2load*) awk '
      /^finished in/ { gsub(",", ""); rps = $4 }
      /^requests:/ { gsub(",", ""); ok = $8; errors += $10 + $12 + $14 }
      /^status codes:/ { gsub(",", ""); errors += $7 + $9 }
      END { if (rps == "") rps = 0; printf "%s %d %d\n", rps, ok, errors }' "$2" ;;
    wrk) awk '
      /Requests\/sec:/ { rps = $2 }
      / requests in / { requests = $1 }
      /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
      /Non-2xx or 3xx responses:/ { errors += $5 }
      END { if (rps == "") rps = 0; printf "%s %d %d\n", rps, requests - errors, errors + 0 }' "$2" ;;
    s_time) awk -v wall="$3" '
      / connections in .* real seconds/ { ok += $1 }
      /ERROR|error/ { errors++ }
      END { printf "%.2f %d %d\n", (wall > 0 ? ok / wall : 0), ok, errors }' "$2" ;;
  esac
}
percentiles() { # h2load log file → "p50-ms p99-ms" (third column: request time in µs)
  if [ ! -s "$1" ]; then echo "- -"; return; fi
  cut -f3 "$1" | sort -n | awk '{ v[NR] = $1 } END {
    i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
    printf "%.3f %.3f\n", v[i50] / 1000, v[i99] / 1000 }'
}

busy_ticks() { # all CPUs, busy clock ticks (user nice system irq softirq steal)
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
children_seconds() { # CPU seconds of finished children of this shell (the load clients), from `times`
  # `times` must run in this shell, not in a $(…) subshell (a fork starts with zeroed times): write to a file.
  times > "$work/times.txt"
  awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }' "$work/times.txt"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

run_one() { # scenario-record contender round measured(1|0)
  local scenario listener client name="$2" round="$3" measured="$4"
  local url port secs file root
  scenario="$(field "$1" 1)"; listener="$(field "$1" 2)"; client="$(field "$1" 3)"
  port="${port_of[$name/$listener]}"
  case "$listener" in
    h1) url="http://127.0.0.1:$port/" ;;
    static) url="https://127.0.0.1:$port/static/100k.bin" ;;
    *) url="https://127.0.0.1:$port/" ;;
  esac
  secs="$duration"
  [ "$measured" = 1 ] || secs="$warmup"
  file="$work/runs/$scenario-$name-$round.txt"
  client_command "$client" "$url" "$secs" "$file"
  for root in ${roots_of[$name]}; do
    if ! kill -0 "$root" 2>/dev/null; then
      fail "$name ($scenario) is not running any more (see benchmarks/load/.work/logs/$name.log)"
      return
    fi
  done
  local t0 b0 c0 w0 t1 b1 c1 w1 ws
  children_seconds > "$work/c0"
  c0="$(cat "$work/c0")"; ws="$(date +%s.%N)"
  # In the background + wait, so a signal to this script is handled at once (the EXIT trap stops the client too).
  timeout --kill-after=5 $((secs + 30)) "${cmd[@]}" > "$file" 2>&1 &
  client_pid=$!
  # h2load --warm-up-time=1: the client counts nothing in its first second (connections, handshakes, first
  # requests), so the server's CPU is not counted for it either: the window starts 1 s after the client.
  if [ "${length[0]}" != -n ] && [[ "$client" == h2load || "$client" == h2load-h1 || "$client" == h2load-static ]]; then
    sleep 1
  fi
  t0="$(tree_ticks "$name")"; b0="$(busy_ticks)"; w0="$(date +%s.%N)"
  wait "$client_pid" || true
  client_pid=""
  t1="$(tree_ticks "$name")"; b1="$(busy_ticks)"; w1="$(date +%s.%N)"
  children_seconds > "$work/c1"
  c1="$(cat "$work/c1")"
  local wall rps ok errors p50="" p99=""
  wall="$(awk -v a="$ws" -v b="$w1" 'BEGIN { print b - a }')"
  read -r rps ok errors < <(parse_client "$client" "$file" "$wall")
  if [ "$measured" != 1 ]; then
    printf '%s\t%s\t%s\n' "$scenario" "$name" "$ok" >> "$work/warmups.tsv"
    return 0
  fi
  if [ "$client" = h2load-rate ]; then read -r p50 p99 < <(percentiles "$file.log"); fi
  # Server CPU-seconds; "other" = everything on the machine that is neither this server nor the load client.
  local server_s other_cores
  server_s="$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  # (The client's CPU is known only for its whole run: its share of the window is taken pro rata.)
  other_cores="$(awk -v a="$b0" -v b="$b1" -v hz="$clk_tck" -v s="$server_s" -v c0="$c0" -v c1="$c1" -v ws="$ws" -v w0="$w0" -v w1="$w1" \
    'BEGIN { d = w1 - w0; o = ((b - a) / hz - s - (c1 - c0) * d / (w1 - ws)) / d; if (o < 0) o = 0; printf "%.2f", o }')"
  echo "$scenario,$round,$name,$rps,$ok,$errors,$server_s,$other_cores,$p50,$p99" >> "$rounds_csv"
  printf '   %-9s round %-2s %-18s %10s req/s %8s ok %3s errors  server %5ss CPU  other %s cores  load %s %s\n' \
    "$scenario" "$round" "$name" "$rps" "$ok" "$errors" "$server_s" "$other_cores" "$(loadavg)" "${p50:+p50 $p50 ms p99 $p99 ms}"
  if [ "$ok" -le 0 ] || [ "$errors" -gt 0 ]; then
    fail "$name ($scenario, round $round): $ok good responses, $errors errors (output: ${file#"$repo"/})"
  fi
}

load_start="$(loadavg)"
uptime_start="$(uptime)"
declare -A load_before load_after
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
t_start=$SECONDS
for s in "${active_scenarios[@]}"; do
  scenario="$(field "$s" 1)"
  in_scenario=()
  for c in "${active_contenders[@]}"; do
    if [ -n "${runs_in[$c/$scenario]:-}" ]; then in_scenario+=("$c"); fi
  done
  n=${#in_scenario[@]}
  [ "$n" -gt 0 ] || continue
  load_before[$scenario]="$(loadavg)"
  echo "== $scenario: $(field "$s" 4) — ${in_scenario[*]} — load average ${load_before[$scenario]}"
  if [ "$warmup" -gt 0 ]; then
    for c in "${in_scenario[@]}"; do
      run_one "$s" "$c" warmup 0
    done
  fi
  for r in $(seq "$rounds"); do
    # Interleaved, and each round starts one contender later (A,B,C / B,C,A / …) so drift and other load on the
    # machine hit every contender alike, and no contender always runs right after the same neighbour.
    for i in $(seq 0 $((n - 1))); do
      run_one "$s" "${in_scenario[$(((i + r - 1) % n))]}" "$r" 1
    done
  done
  load_after[$scenario]="$(loadavg)"
done
load_end="$(loadavg)"
uptime_end="$(uptime)"
measure_seconds=$((SECONDS - t_start))

check_all after
for c in "${active_contenders[@]}"; do memory_after[$c]="$(memory_of "$c")"; done

# Stop the contenders now: the .NET ones print their GC totals (see ContenderOptions.ReportAllocationsAtExit).
cleanup
pids=()
allocated_per_request() { # contender → bytes allocated per request over the whole run (all processes, warm-ups too)
  local bytes requests
  bytes="$(grep -ho 'gc: allocated [0-9]*' "$work/logs/$1.log" 2>/dev/null | awk '{ s += $3 } END { if (NR) print s }')"
  requests="$(awk -F, -v c="$1" '$3 == c { n += $5 } END { print n + 0 }' "$rounds_csv")"
  requests=$((requests + $(awk -F'\t' -v c="$1" '$2 == c { n += $3 } END { print n + 0 }' "$work/warmups.tsv")))
  if [ -z "$bytes" ] || [ "$requests" -le 0 ]; then echo "-"; return; fi
  awk -v b="$bytes" -v r="$requests" 'BEGIN { printf "%.0f\n", b / r }'
}

# --- 8. results ----------------------------------------------------------------------------------------------------
median_of() { # values on stdin → "median min max" (median of an even count = mean of the middle two)
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'
}
median_float() { # values on stdin → median with 2 decimals, or -
  grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "-"; exit }
    printf "%.2f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
stat_of() { # scenario contender column → "median min max"
  awk -F, -v s="$1" -v c="$2" -v col="$3" '$1 == s && $3 == c { print $col }' "$rounds_csv" | median_of
}
efficiency_of() { # scenario contender → median requests per server CPU-second
  awk -F, -v s="$1" -v c="$2" '$1 == s && $3 == c && $7 > 0 { printf "%.0f\n", $5 / $7 }' "$rounds_csv" | median_of | cut -d' ' -f1
}
cpu_us_of() { # scenario contender → median server CPU µs per request
  awk -F, -v s="$1" -v c="$2" '$1 == s && $3 == c && $5 > 0 { printf "%.1f\n", $7 * 1e6 / $5 }' "$rounds_csv" | median_float
}
latency_of() { # scenario contender → "p50 p99" medians over the rounds
  echo "$(awk -F, -v s="$1" -v c="$2" '$1 == s && $3 == c { print $9 }' "$rounds_csv" | median_float) $(awk -F, -v s="$1" -v c="$2" '$1 == s && $3 == c { print $10 }' "$rounds_csv" | median_float)"
}
paired_ratios() { # scenario numerator denominator → "min–max" of the per-round ratios
  awk -F, -v s="$1" -v a="$2" -v b="$3" '$1 == s && $3 == a { x[$2] = $4 } $1 == s && $3 == b { y[$2] = $4 }
    END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$rounds_csv" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f–%.2f", v[1], v[NR]; else printf "-" }'
}
divide() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
ratio_of() { divide "$(stat_of "$1" "$2" 4 | cut -d' ' -f1)" "$(stat_of "$1" "$3" 4 | cut -d' ' -f1)"; }
efficiency_ratio_of() { divide "$(efficiency_of "$1" "$2")" "$(efficiency_of "$1" "$3")"; }
ran() { grep -q "^$1,[^,]*,$2," "$rounds_csv"; } # scenario contender
other_load_of() { # scenario → "median (max)" of the other-load column
  awk -F, -v s="$1" '$1 == s { print $8 }' "$rounds_csv" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.2f (max %.2f)", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR]; else printf "-" }'
}
anchor_cell() { # scenario contender anchor → "ratio (per-round range)" or -
  if [ "$2" = "$3" ]; then echo "1.00"; return; fi
  if ran "$1" "$2" && ran "$1" "$3"; then echo "$(ratio_of "$1" "$2" "$3") ($(paired_ratios "$1" "$2" "$3"))"; else echo "-"; fi
}

mkdir -p "$(dirname "$out")" "$data_dir"
cp "$rounds_csv" "$data_dir/rounds.csv"
{
  echo "scenario,contender,median_rps,min_rps,max_rps,requests_per_cpu_s,cpu_us_per_request,p50_ms,p99_ms"
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    for c in "${active_contenders[@]}"; do
      ran "$scenario" "$c" || continue
      read -r med lo hi < <(stat_of "$scenario" "$c" 4)
      read -r p50 p99 < <(latency_of "$scenario" "$c")
      echo "$scenario,$c,$med,$lo,$hi,$(efficiency_of "$scenario" "$c"),$(cpu_us_of "$scenario" "$c"),$p50,$p99"
    done
  done
} > "$data_dir/summary.csv"
{
  echo "contender,processes,primary_idle_mb,total_idle_mb,primary_after_mb,total_after_mb"
  for c in "${active_contenders[@]}"; do
    read -r n pi ti < <(echo "${memory_idle[$c]}")
    read -r _ pa ta < <(echo "${memory_after[$c]}")
    echo "$c,$n,$pi,$ti,$pa,$ta"
  done
} > "$data_dir/memory.csv"

chart_note=""
if [ "$charts" = 1 ]; then
  if [ -f "$charts_dll" ] && dotnet "$charts_dll" "$data_dir" > "$work/logs/charts.log" 2>&1; then
    :
  else
    chart_note="(charts failed: see benchmarks/load/.work/logs/charts.log)"
    fail "rendering the charts failed (benchmarks/load/.work/logs/charts.log)"
  fi
fi
rel_data="$(basename "$data_dir")"

{
  echo "# Load benchmark: Roost vs raw Kestrel, nginx and the seed's Node programs — $(date -u +%Y-%m-%d)"
  echo
  if [ "$smoke" = 1 ]; then
    echo "**Smoke run** (1 round of 1 s, no warm-up): only checks that every contender answers; the numbers mean nothing."
    echo
  fi
  echo "Generated by \`benchmarks/load/run.sh\` (see [\`benchmarks/load/README.md\`](../load/README.md)). Started $started_at; measuring took $((measure_seconds / 60)) min $((measure_seconds % 60)) s."
  echo
  echo "**Taken under load.** The machine is shared (other engineers build and test on the same cores during the run); the load average below was recorded at the start and end. Trust ratios between contenders measured in the same round more than absolute numbers, and read every number as *under load*."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| cores (nproc) | $(nproc) |"
  echo "| CPU | $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') |"
  echo "| memory | $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) |"
  echo "| kernel | $(uname -sr) |"
  echo "| OS | $( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo unknown) |"
  echo "| .NET | SDK $(dotnet --version), $(dotnet --list-runtimes | grep -m1 AspNetCore | cut -d' ' -f1-2) |"
  echo "| Node | $(command -v node >/dev/null && node --version || echo 'not installed') |"
  echo "| nginx | $(command -v nginx >/dev/null && nginx -v 2>&1 | cut -d' ' -f3 || echo 'not installed') |"
  echo "| clients | $(h2load --version | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(openssl version | cut -d' ' -f1-2) s_time |"
  echo "| certificate | EC P-256 leaf ← intermediate ← root (samples/Seed.Https/make-certs.sh), leaf + intermediate sent |"
  echo "| uptime at start | \`${uptime_start# }\` |"
  echo "| uptime at end | \`${uptime_end# }\` |"
  echo
  echo "The load generator runs on the same cores as the server (one client thread): compare ratios within this run, not absolute numbers across machines or runs."
  echo
  echo "### Handshake ceiling: \`openssl speed\`"
  echo
  echo "Signatures per second on one core (\`openssl speed -seconds $speed_seconds ecdsap256 rsa2048\`). A full handshake costs the server one signature plus the key exchange, so the sign rate × cores bounds full handshakes per second; the EC P-256 rate applies to this run's certificate."
  echo
  echo "| key | sign/s (1 core) |"
  echo "|---|---:|"
  echo "| ecdsa P-256 | $ecdsa_sign |"
  echo "| rsa 2048 | $rsa_sign |"
  [ "$smoke" = 1 ] && echo && echo "(not measured in a smoke run)"
  echo
  echo "## Command"
  echo
  echo '```'
  echo "benchmarks/load/run.sh ${orig_args[*]}"
  echo '```'
  echo
  echo "$rounds interleaved round(s) × $duration s per contender and scenario, $warmup s warm-up each (not measured); every round starts one contender later. Clients:"
  echo
  for s in "${active_scenarios[@]}"; do
    echo "- **$(field "$s" 1)** ($(field "$s" 4)): $(describe_client "$(field "$s" 3)")"
  done
  echo
  echo "Handshakes: \`openssl s_time -new\` never offers a session, so every connection is a full handshake (checked against nginx logging \`\$ssl_session_reused\`: 0 of 1,230 reused). h2load is not used for this: with \`Connection: close\` it reconnects with the previous session (196 of 200 resumed in the same check), and \`wrk\` resumes about half. s_time negotiates TLS 1.3 with the .NET contenders (checked: the ServerHello carries supported_versions = TLS 1.3) and with nginx, which gets \`ssl_protocols TLSv1.2 TLSv1.3\` for that (nginx 1.22 alone offers only up to TLS 1.2, which its earlier runs served)."
  echo
  echo "## Contenders"
  echo
  echo "| contender | scenarios | what it is |"
  echo "|---|---|---|"
  for c in "${contenders[@]}"; do
    id="$(field "$c" 1)"
    if selected "$only_contenders" "$id"; then echo "| $id | $(field "$c" 2 | sed 's/,/, /g') | $(field "$c" 3) |"; fi
  done
  echo
  echo "Why not every contender runs every scenario: the Node programs are one protocol each (the seed has no h2 or cleartext variant of https, and no static-file server); raw-two-writes only matters where coalescing does (the three small-response scenarios); the handoff and shared cluster strategies skip the latency and static scenarios to keep the run within 20 minutes (reuseport is the managed-mode default); the static file is served by the anchors, the façade (from memory) and \`roost serve --root\` (from disk)."
  if [ -s "$work/skipped.txt" ]; then
    echo
    echo "Skipped in this run:"
    echo
    awk -F'\t' '{ printf "- **%s**: %s\n", $1, $2 }' "$work/skipped.txt"
  fi
  if [ ${#aot_projects[@]} -gt 0 ]; then
    echo
    echo "NativeAOT contenders: \`benchmarks/publish-aot.sh\` published ${aot_projects[*]} with \`dotnet publish -c Release -r linux-<arch> -p:PublishAot=true -p:CppCompilerAndLinker=gcc -p:TreatWarningsAsErrors=false\` (took $aot_publish_seconds s; - = not published in this run, --no-build). Trim/AOT warnings of the publish:"
    echo
    for project in "${aot_projects[@]}"; do
      name="$(basename "$project" .csproj)"
      if [ -s "$aot_dir/$name.warnings" ]; then
        echo "- $name: $(wc -l < "$aot_dir/$name.warnings") warning(s):"
        sed -e 's/^/  - `/' -e 's/$/`/' "$aot_dir/$name.warnings"
      elif [ -f "$aot_dir/$name.warnings" ]; then
        echo "- $name: none"
      else
        echo "- $name: not known (not published in this run)"
      fi
    done
  fi
  if [ -n "$roost_aot_given" ] && has roost-serve-aot; then
    echo
    echo "roost-serve-aot ran the native roost given with \`--roost-aot\` (not published by this run): \`$("$roost_aot" --version 2>/dev/null || echo "version unknown")\`."
  fi
  echo
  echo "## Results"
  echo
  echo "Median req/s of the rounds and min–max; ratios of the medians vs each anchor (raw Kestrel one-write, nginx, the seed's Node program for the scenario), in brackets the range of the per-round ratios (measured back to back in the same round); *req/CPU-s*: good responses per second of server CPU time summed over all the contender's processes (user + system from \`/proc/<pid>/stat\`); *CPU µs/req*: its inverse. For *handshake* a request is a new connection with a full handshake."
  echo
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    anchor_node="${node_anchor[$scenario]:-}"
    echo "### $scenario — $(field "$s" 4)"
    echo
    echo "![$scenario]($rel_data/$scenario.svg)"
    echo
    echo "![$scenario per CPU-second]($rel_data/$scenario-per-cpu.svg)"
    echo
    if [ "$scenario" = latency ]; then
      echo "Fixed rate $rate req/s (10 connections × $((rate / 10)) req/s); latency of every request from h2load's log; p50/p99 medians over the rounds."
      echo
      echo "| contender | req/s | p50 ms | p99 ms | CPU µs/req | req/CPU-s |"
      echo "|---|---:|---:|---:|---:|---:|"
      for c in "${active_contenders[@]}"; do
        ran "$scenario" "$c" || continue
        read -r med lo hi < <(stat_of "$scenario" "$c" 4)
        read -r p50 p99 < <(latency_of "$scenario" "$c")
        echo "| $c | $med | $p50 | $p99 | $(cpu_us_of "$scenario" "$c") | $(efficiency_of "$scenario" "$c") |"
      done
    else
      # handshake: one more column, handshakes per server CPU-s as a share of one core's P-256 sign rate.
      extra_head=""; extra_rule=""
      if [ "$scenario" = handshake ]; then extra_head=" of sign ceiling |"; extra_rule="---:|"; fi
      echo "| contender | req/s | min–max | × raw Kestrel | × nginx | × Node${anchor_node:+ ($anchor_node)} | req/CPU-s | CPU µs/req |$extra_head"
      echo "|---|---:|---:|---:|---:|---:|---:|---:|$extra_rule"
      for c in "${active_contenders[@]}"; do
        ran "$scenario" "$c" || continue
        read -r med lo hi < <(stat_of "$scenario" "$c" 4)
        node_cell="-"
        [ -n "$anchor_node" ] && node_cell="$(anchor_cell "$scenario" "$c" "$anchor_node")"
        extra=""
        if [ "$scenario" = handshake ]; then
          extra=" $(awk -v e="$(efficiency_of "$scenario" "$c")" -v s="$ecdsa_sign" 'BEGIN { if (s == "-" || e == "-" || s == 0) print "-"; else printf "%.1f%%", 100 * e / s }') |"
        fi
        echo "| $c | $med | $lo–$hi | $(anchor_cell "$scenario" "$c" raw-one-write) | $(anchor_cell "$scenario" "$c" nginx) | $node_cell | $(efficiency_of "$scenario" "$c") | $(cpu_us_of "$scenario" "$c") |$extra"
      done
      if [ "$scenario" = handshake ]; then
        echo
        echo "*of sign ceiling*: full handshakes per server CPU-second ÷ ECDSA P-256 signatures per second of one core (\`openssl speed\`, above). The signature is one part of a handshake's cost; the rest is the key exchange, the certificate chain, the record layer, the TCP connection and the one request."
      fi
    fi
    echo
  done
  echo "## Memory"
  echo
  echo "![memory]($rel_data/memory.svg)"
  echo
  echo "RSS (VmRSS) of every process of the contender, summed: *idle* after start-up and the first correct answers (before any load), *after* all scenarios. *primary*: the process started (nginx master, Node primary, Roost primary; the whole program when it is one process)."
  echo
  echo "| contender | processes | primary idle MB | total idle MB | primary after MB | total after MB |"
  echo "|---|---:|---:|---:|---:|---:|"
  tail -n +2 "$data_dir/memory.csv" | awk -F, '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
  echo
  echo "## Goals (issue 6)"
  echo
  echo "Met or not is judged on the ratio of medians of this run; the per-round range shows how far noise reaches."
  echo
  echo "| goal | ratio | per-round range | met? |"
  echo "|---|---:|---:|---|"
  for g in "${goals[@]}"; do
    scenario="$(field "$g" 1)"; a="$(field "$g" 2)"; b="$(field "$g" 3)"; min="$(field "$g" 4)"; metric="$(field "$g" 5)"
    ran "$scenario" "$a" && ran "$scenario" "$b" || continue
    if [ "$metric" = eff ]; then ratio="$(efficiency_ratio_of "$scenario" "$a" "$b")"; range="-"
    else ratio="$(ratio_of "$scenario" "$a" "$b")"; range="$(paired_ratios "$scenario" "$a" "$b")"; fi
    met="$(awk -v r="$ratio" -v m="$min" 'BEGIN { if (r == "-") print "-"; else if (r + 0 >= m + 0) print "yes"; else printf "**no** (%.0f%% short)\n", (1 - r / m) * 100 }')"
    echo "| $(field "$g" 6) | $ratio | $range | $met |"
  done
  for g in "${memory_goals[@]}"; do
    c="$(field "$g" 1)"; which="$(field "$g" 2)"; max="$(field "$g" 3)"
    has "$c" || continue
    case "$which" in
      primary-idle) mb="$(echo "${memory_idle[$c]}" | cut -d' ' -f2)" ;;
      total-idle) mb="$(echo "${memory_idle[$c]}" | cut -d' ' -f3)" ;;
    esac
    met="$(awk -v v="$mb" -v m="$max" 'BEGIN { if (v + 0 <= m + 0) print "yes"; else printf "**no** (%.0f%% over)\n", (v / m - 1) * 100 }')"
    echo "| $(field "$g" 4) | $mb MB | - | $met |"
  done
  echo
  echo "## Noise"
  echo
  echo "*Other load*: CPU cores busy with neither the measured server nor the load client during a round (from \`/proc/stat\` minus both): the rest of the machine. The load average counts the benchmark itself (server + client ≈ 2)."
  echo
  echo "| scenario | load average before → after | other load, median (max) |"
  echo "|---|---|---|"
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    [ -n "${load_before[$scenario]:-}" ] || continue
    echo "| $scenario | ${load_before[$scenario]} → ${load_after[$scenario]} | $(other_load_of "$scenario") cores |"
  done
  echo
  echo "## Allocations"
  echo
  echo "Bytes the .NET contenders allocated per request over the whole run (GC totals at exit of every process ÷ every request served, warm-ups included)."
  echo
  echo "| contender | bytes allocated per request |"
  echo "|---|---:|"
  for c in "${active_contenders[@]}"; do
    case "$c" in raw-*|facade|cluster-*) echo "| $c | $(allocated_per_request "$c") |" ;; esac
  done
  echo
  if [ -s "$work/failures.txt" ]; then
    echo "## Failures"
    echo
    # Paths relative to the repository: the report is committed and must not name this machine's folders.
    sed -e "s|$repo/||g" -e 's/^/- /' "$work/failures.txt"
    echo
  fi
  echo "## Data"
  echo
  echo "CSV next to this file: [\`rounds.csv\`]($rel_data/rounds.csv) (every measurement), [\`summary.csv\`]($rel_data/summary.csv), [\`memory.csv\`]($rel_data/memory.csv). Charts rendered from them by \`benchmarks/Roost.BenchmarkCharts\` (ScottPlot) $chart_note."
} > "$out"

echo "== results: ${out#"$repo"/} (data and charts: ${data_dir#"$repo"/}/)"
if [ "$failures" -gt 0 ]; then
  echo "error: $failures check(s) failed:" >&2
  sed 's/^/  /' "$work/failures.txt" >&2
  exit 1
fi
if [ "$smoke" = 1 ]; then
  echo "== smoke: every contender answered every scenario correctly"
fi

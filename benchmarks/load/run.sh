#!/usr/bin/env bash
# End-to-end load benchmark: the seed handler through Roost's façade vs a minimal raw Kestrel app (two-writes and
# one-write) vs the seed's Node programs, on HTTP/2 over TLS, HTTP/1.1 over TLS and cleartext HTTP/1.1.
#
#   benchmarks/load/run.sh                 full run: 5 interleaved rounds of 10 s per contender and scenario
#   benchmarks/load/run.sh --smoke         CI: 1 round of 2 s; fails unless every contender answered correctly
#   benchmarks/load/run.sh --help          all flags
#
# Steps: 1 build Release → 2 make a certificate chain → 3 start every contender on 127.0.0.1 → 4 check each
# answers the seed body byte-exact → 5 per scenario: warm up, then rounds A,B,C,D / B,C,D,A / … → 6 check the
# bodies again → 7 write the results (medians, min–max, ratios, goals) as Markdown. See README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
orig_args=("$@")

rounds=5
duration=10
warmup=5
smoke=0
build=1
out=""
connections=50
streams=10
client_threads=1
only_scenarios=""
only_contenders=""

usage() {
  cat <<'USAGE'
Usage: benchmarks/load/run.sh [options]

  --rounds N          interleaved rounds per scenario (default 5; at least 3 for a full run)
  --duration S        seconds per measurement (default 10)
  --warmup S          seconds of warm-up per contender and scenario, not measured (default 5)
  --smoke             1 round of 2 s, no warm-up, results under benchmarks/load/.work; exits non-zero
                      unless every contender answered every scenario with the right body and no errors
  --connections N     client connections (default 50)
  --streams N         concurrent HTTP/2 streams per connection for h2load -m (default 10)
  --client-threads N  h2load -t / wrk -t (default 1: the client shares the cores with the server)
  --scenarios LIST    comma-separated subset of: h2-tls,h1-tls,h1
  --contenders LIST   comma-separated subset of: raw-two-writes,raw-one-write,facade,node
  --out FILE          results file (default benchmarks/results/<date>-foundation.md)
  --no-build          use the Release binaries already built
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --connections) connections="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --client-threads) client_threads="$2"; shift 2 ;;
    --scenarios) only_scenarios="$2"; shift 2 ;;
    --contenders) only_contenders="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown option '$1'." >&2; usage >&2; exit 2 ;;
  esac
done

for n in rounds duration warmup connections streams client_threads; do
  if ! [[ "${!n}" =~ ^[0-9]+$ ]]; then
    echo "error: --${n//_/-} must be a whole number; got '${!n}'." >&2
    exit 2
  fi
done

work="$here/.work"
if [ "$smoke" = 1 ]; then
  rounds=1; duration=2; warmup=0
  out="${out:-$work/smoke-results.md}"
elif [ "$rounds" -lt 3 ]; then
  echo "error: a full run needs at least 3 rounds (medians); got --rounds $rounds. Use --smoke for a quick check." >&2
  exit 2
fi
out="${out:-benchmarks/results/$(date +%Y-%m-%d)-foundation.md}"

# ---------------------------------------------------------------------------------------------------------------
# The tables the harness is driven by. A new scenario is one line here plus a case in client_command; a new
# contender is one line here plus a case in start_contender.
#
# Scenarios: id | listener it loads | client | what it is
scenarios=(
  "h2-tls|h2-tls|h2load|HTTP/2 over TLS (ALPN h2)"
  "h1-tls|h1-tls|h2load-h1|HTTP/1.1 over TLS"
  "h1|h1|wrk|cleartext HTTP/1.1"
)
# Contenders: id | what it is
contenders=(
  "raw-two-writes|raw Kestrel, two \`await Response.WriteAsync\` (the seed handler as Kestrel users write it)"
  "raw-one-write|raw Kestrel, Content-Length + one write"
  "facade|Roost façade, seed handler (\`res.Write\` + \`res.End\`)"
  "node|the seed's Node programs (https.js, http2.js; http.js for cleartext)"
)
# Ratios reported for every scenario: numerator | denominator
ratios=(
  "facade|raw-one-write"
  "facade|raw-two-writes"
  "facade|node"
)
# Goals (issue "Foundation", Performance): scenario | numerator | denominator | minimum ratio | goal
goals=(
  "h1-tls|facade|raw-one-write|0.95|façade ≥ 0.95× raw Kestrel, same write pattern, HTTP/1.1 over TLS"
  "h2-tls|facade|raw-one-write|0.95|façade ≥ 0.95× raw Kestrel, same write pattern, HTTP/2 over TLS"
  "h1|facade|raw-one-write|0.95|façade ≥ 0.95× raw Kestrel, same write pattern, cleartext HTTP/1.1"
  "h1-tls|facade|raw-two-writes|1.30|façade ≥ 1.3× raw Kestrel two-writes, HTTP/1.1 over TLS (coalescing)"
  "h1-tls|facade|node|1.00|façade ≥ 1.0× the seed's Node https program, HTTP/1.1 over TLS"
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

active_scenarios=()
for s in "${scenarios[@]}"; do
  if selected "$only_scenarios" "$(field "$s" 1)"; then active_scenarios+=("$s"); fi
done
active_contenders=()
for c in "${contenders[@]}"; do
  if selected "$only_contenders" "$(field "$c" 1)"; then active_contenders+=("$(field "$c" 1)"); fi
done
if [ ${#active_scenarios[@]} -eq 0 ] || [ ${#active_contenders[@]} -eq 0 ]; then
  echo "error: no scenario or no contender selected (--scenarios '$only_scenarios', --contenders '$only_contenders')." >&2
  exit 2
fi

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
if selected "$only_contenders" node; then need_tool node nodejs; fi

rm -rf "$work/logs" "$work/runs"
mkdir -p "$work/logs" "$work/runs"
rounds_tsv="$work/rounds.tsv"
: > "$rounds_tsv"
: > "$work/warmups.tsv"
printf '%s' '<h1>hello Node</h1><p>hello server!</p>' > "$work/expected-body"
failures=0
fail() {
  echo "FAIL: $*" >&2
  echo "$*" >> "$work/failures.txt"
  failures=$((failures + 1))
}
: > "$work/failures.txt"

# --- processes: every one we start is recorded and stopped on exit, whatever happens -------------------------------
pids=()
client_pid=""
cleanup() {
  local pid
  if [ -n "$client_pid" ]; then
    kill -TERM "$client_pid" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for _ in $(seq 50); do
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
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build ------------------------------------------------------------------------------------------------------
raw_dll="benchmarks/load/RawKestrel/bin/Release/net10.0/RawKestrel.dll"
facade_dll="benchmarks/load/FacadeSeed/bin/Release/net10.0/FacadeSeed.dll"
if [ "$build" = 1 ]; then
  echo "== building Release"
  for project in benchmarks/load/RawKestrel/RawKestrel.csproj benchmarks/load/FacadeSeed/FacadeSeed.csproj; do
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

# --- 2. certificates: the seed's file names, made by the sample's script -------------------------------------------
ssl="$work/ssl"
samples/Seed.Https/make-certs.sh "$ssl" > "$work/logs/certs.log"

# --- 3. contenders -------------------------------------------------------------------------------------------------
declare -A port_of pid_of
taken=" "
# Ports below the kernel's ephemeral range, so no client connection (ours or anyone's) can be holding one, and
# not used by any TCP socket in any state right now.
ephemeral_low="$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
free_port() {
  local p
  while true; do
    p=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if [[ "$taken" != *" $p "* ]] && [ -z "$(ss -Htan "sport = :$p")" ]; then
      taken+="$p "
      echo "$p"
      return
    fi
  done
}

start_dotnet() { # contender dll args...
  local name="$1" dll="$2"
  shift 2
  local h1tls h2tls h1
  h1tls="$(free_port)"; h2tls="$(free_port)"; h1="$(free_port)"
  dotnet "$dll" "$@" --h1-tls "$h1tls" --h2-tls "$h2tls" --h1 "$h1" > "$work/logs/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  port_of[$name/h1-tls]=$h1tls; port_of[$name/h2-tls]=$h2tls; port_of[$name/h1]=$h1
  pid_of[$name/h1-tls]=$pid; pid_of[$name/h2-tls]=$pid; pid_of[$name/h1]=$pid
}

start_node() { # contender listener script
  local name="$1" listener="$2" script="$3" port
  port="$(free_port)"
  PORT="$port" SSL_DIR="$ssl" node "benchmarks/load/node/$script" > "$work/logs/$name-$listener.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  port_of[$name/$listener]=$port
  pid_of[$name/$listener]=$pid
}

start_contender() {
  case "$1" in
    raw-two-writes|raw-one-write)
      # The raw app gets the intermediate as its chain; the façade gets root + intermediate as the note's `ca`
      # lists them (the façade drops the root, as the handshake must not carry it).
      start_dotnet "$1" "$raw_dll" --mode "${1#raw-}" --cert "$ssl/edasan.goe.go.kr.cer" --key "$ssl/edasan.goe.go.kr.key" \
        --ca "$ssl/new_caChain_change.cer" ;;
    facade)
      start_dotnet "$1" "$facade_dll" --cert "$ssl/edasan.goe.go.kr.cer" --key "$ssl/edasan.goe.go.kr.key" \
        --ca "$ssl/new_rootca.cer" --ca "$ssl/new_caChain_change.cer" ;;
    node)
      start_node node h1-tls https.js
      start_node node h2-tls http2.js
      start_node node h1 http.js ;;
    *) echo "error: no start rule for contender '$1'." >&2; exit 1 ;;
  esac
}

echo "== starting contenders: ${active_contenders[*]}"
for c in "${active_contenders[@]}"; do
  start_contender "$c"
done

# --- 4./6. correctness: curl trusting only the root, body byte-exact, right protocol ------------------------------
check() { # contender listener → 0 when the answer is right; otherwise prints why
  local name="$1" listener="$2" port="${port_of[$1/$2]}" want args url got
  case "$listener" in
    h2-tls) want=2; url="https://localhost:$port/"
      args=(--http2 --cacert "$ssl/new_rootca.cer" --resolve "localhost:$port:127.0.0.1") ;;
    h1-tls) want=1.1; url="https://localhost:$port/"
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
  if ! cmp -s "$work/body" "$work/expected-body"; then
    echo "wrong body from $url: '$(head -c 200 "$work/body")'"
    return 1
  fi
}

wait_ready() { # contender listener: up to 60 s for the first right answer
  local name="$1" listener="$2" why=""
  for _ in $(seq 300); do
    if why="$(check "$name" "$listener")"; then
      return 0
    fi
    if ! kill -0 "${pid_of[$name/$listener]}" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  fail "$name/$listener did not answer correctly: $why"
  tail -n 20 "$work/logs/$name"*.log >&2 || true
  return 1
}

check_all() { # phase
  local s c listener why
  for s in "${active_scenarios[@]}"; do
    listener="$(field "$s" 2)"
    for c in "${active_contenders[@]}"; do
      if [ "$1" = before ]; then
        wait_ready "$c" "$listener" || true
      elif ! why="$(check "$c" "$listener")"; then
        fail "$c/$listener after the load: $why"
      fi
    done
  done
}

check_all before
if [ "$failures" -gt 0 ]; then
  echo "error: $failures contender(s) did not answer correctly; not measuring." >&2
  exit 1
fi
echo "== every contender answers the seed body byte-exact"

# --- 5. measurement ------------------------------------------------------------------------------------------------
client_command() { # client url seconds → sets cmd (array)
  case "$1" in
    # --warm-up-time: connections (TLS handshakes) are made before the measured window starts.
    h2load) cmd=(h2load -t "$client_threads" -c "$connections" -m "$streams" --warm-up-time=1 -D "$3" "$2") ;;
    h2load-h1) cmd=(h2load --h1 -t "$client_threads" -c "$connections" -m 1 --warm-up-time=1 -D "$3" "$2") ;;
    wrk) cmd=(wrk -t "$client_threads" -c "$connections" -d "${3}s" "$2") ;;
  esac
}

# Prints "req/s requests errors" from the client's output.
parse_client() { # client output-file
  case "$1" in
    h2load|h2load-h1) awk '
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
  esac
}

clk_tck="$(getconf CLK_TCK)"
process_ticks() { # pid → utime + stime in clock ticks (fields 14 and 15 of /proc/pid/stat, after the "(comm)")
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
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
  local url pid secs file
  scenario="$(field "$1" 1)"; listener="$(field "$1" 2)"; client="$(field "$1" 3)"
  if [ "$listener" = h1 ]; then url="http://127.0.0.1:${port_of[$name/$listener]}/"; else url="https://127.0.0.1:${port_of[$name/$listener]}/"; fi
  pid="${pid_of[$name/$listener]}"
  secs="$duration"
  [ "$measured" = 1 ] || secs="$warmup"
  client_command "$client" "$url" "$secs"
  file="$work/runs/$scenario-$name-$round.txt"
  if ! kill -0 "$pid" 2>/dev/null; then
    fail "$name ($scenario) is not running any more (see benchmarks/load/.work/logs)"
    return
  fi
  local t0 b0 c0 w0 t1 b1 c1 w1
  children_seconds > "$work/c0"
  t0="$(process_ticks "$pid")"; b0="$(busy_ticks)"; c0="$(cat "$work/c0")"; w0="$(date +%s.%N)"
  # In the background + wait, so a signal to this script is handled at once (the EXIT trap stops the client too).
  timeout --kill-after=5 $((secs + 30)) "${cmd[@]}" > "$file" 2>&1 &
  client_pid=$!
  wait "$client_pid" || true
  client_pid=""
  t1="$(process_ticks "$pid")"; b1="$(busy_ticks)"; w1="$(date +%s.%N)"
  children_seconds > "$work/c1"
  c1="$(cat "$work/c1")"
  local rps ok errors
  read -r rps ok errors < <(parse_client "$client" "$file")
  if [ "$measured" != 1 ]; then
    printf '%s\t%s\t%s\n' "$scenario" "$name" "$ok" >> "$work/warmups.tsv"
    return 0
  fi
  # Server CPU-seconds; "other" = everything on the machine that is neither this server nor the load client.
  local server_s other_cores
  server_s="$(awk -v a="$t0" -v b="$t1" -v hz="$clk_tck" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  other_cores="$(awk -v a="$b0" -v b="$b1" -v hz="$clk_tck" -v s="$server_s" -v c0="$c0" -v c1="$c1" -v d="$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')" \
    'BEGIN { o = ((b - a) / hz - s - (c1 - c0)) / d; if (o < 0) o = 0; printf "%.2f", o }')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$round" "$name" "$rps" "$ok" "$errors" "$server_s" "$other_cores" >> "$rounds_tsv"
  printf '   %-8s round %-2s %-15s %10s req/s  %8s ok  %s errors  server %5ss CPU  other load %s cores\n' \
    "$scenario" "$round" "$name" "$rps" "$ok" "$errors" "$server_s" "$other_cores"
  if [ "$ok" -le 0 ] || [ "$errors" -gt 0 ]; then
    fail "$name ($scenario, round $round): $ok good responses, $errors errors (output: ${file#"$repo"/})"
  fi
}

load_start="$(loadavg)"
declare -A load_before load_after
started_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
n=${#active_contenders[@]}
for s in "${active_scenarios[@]}"; do
  scenario="$(field "$s" 1)"
  load_before[$scenario]="$(loadavg)"
  echo "== $scenario: $(field "$s" 4) — load average ${load_before[$scenario]}"
  if [ "$warmup" -gt 0 ]; then
    for c in "${active_contenders[@]}"; do
      run_one "$s" "$c" warmup 0
    done
  fi
  for r in $(seq "$rounds"); do
    # Interleaved, and each round starts one contender later (A,B,C,D / B,C,D,A / …) so no contender always
    # runs right after the same neighbour.
    for i in $(seq 0 $((n - 1))); do
      run_one "$s" "${active_contenders[$(((i + r - 1) % n))]}" "$r" 1
    done
  done
  load_after[$scenario]="$(loadavg)"
done
load_end="$(loadavg)"

check_all after

# Stop the contenders now: the .NET ones print their GC totals (see ContenderOptions.ReportAllocationsAtExit).
cleanup
pids=()
allocated_per_request() { # contender → bytes allocated per request over the whole run (all scenarios, warm-ups too)
  local bytes requests
  bytes="$(grep -ho 'gc: allocated [0-9]*' "$work/logs/$1.log" 2>/dev/null | awk '{ print $3 }')"
  requests="$(awk -F'\t' -v c="$1" '$3 == c { n += $5 } END { print n + 0 }' "$rounds_tsv")"
  requests=$((requests + $(awk -F'\t' -v c="$1" '$2 == c { n += $3 } END { print n + 0 }' "$work/warmups.tsv")))
  if [ -z "$bytes" ] || [ "$requests" -le 0 ]; then echo "-"; return; fi
  awk -v b="$bytes" -v r="$requests" 'BEGIN { printf "%.0f\n", b / r }'
}

# --- 7. results ----------------------------------------------------------------------------------------------------
median_of() { # values on stdin → "median min max" (median of an even count = mean of the middle two)
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'
}
stat_of() { # scenario contender column → "median min max"
  awk -F'\t' -v s="$1" -v c="$2" -v col="$3" '$1 == s && $3 == c { print $col }' "$rounds_tsv" | median_of
}
efficiency_of() { # scenario contender → median requests per server CPU-second
  awk -F'\t' -v s="$1" -v c="$2" '$1 == s && $3 == c && $7 > 0 { printf "%.0f\n", $5 / $7 }' "$rounds_tsv" | median_of | cut -d' ' -f1
}
paired_ratios() { # scenario numerator denominator → "min max" of the per-round ratios
  awk -F'\t' -v s="$1" -v a="$2" -v b="$3" '$1 == s && $3 == a { x[$2] = $4 } $1 == s && $3 == b { y[$2] = $4 }
    END { for (r in x) if ((r in y) && y[r] > 0) print x[r] / y[r] }' "$rounds_tsv" |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f–%.2f", v[1], v[NR]; else printf "-" }'
}
ratio_of() { # scenario numerator denominator → ratio of medians
  local a b
  a="$(stat_of "$1" "$2" 4 | cut -d' ' -f1)"; b="$(stat_of "$1" "$3" 4 | cut -d' ' -f1)"
  awk -v a="$a" -v b="$b" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}
efficiency_ratio_of() { # scenario numerator denominator → ratio of the req/CPU-s medians
  local a b
  a="$(efficiency_of "$1" "$2")"; b="$(efficiency_of "$1" "$3")"
  awk -v a="$a" -v b="$b" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'
}
other_load_of() { # scenario → "median max" of the other-load column
  awk -F'\t' -v s="$1" '$1 == s { print $8 }' "$rounds_tsv" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR) printf "%.2f (max %.2f)", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR]; else printf "-" }'
}
has() { printf '%s\n' "${active_contenders[@]}" | grep -qx "$1"; }
has_scenario() { printf '%s\n' "${active_scenarios[@]}" | grep -q "^$1|"; }

mkdir -p "$(dirname "$out")"
{
  echo "# Load benchmark: façade vs raw Kestrel vs the seed's Node programs — $(date +%Y-%m-%d)"
  echo
  if [ "$smoke" = 1 ]; then
    echo "**Smoke run** (1 round of 2 s, no warm-up): only checks that every contender answers; the numbers mean nothing."
    echo
  fi
  echo "Generated by \`benchmarks/load/run.sh\` (see \`benchmarks/load/README.md\`). Started $started_at."
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
  echo "| clients | $(h2load --version | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2) |"
  echo "| OpenSSL | $(openssl version | cut -d' ' -f1-2) |"
  echo "| certificate | EC P-256 leaf ← intermediate ← root (samples/Seed.Https/make-certs.sh) |"
  echo "| load average (1/5/15 min) | start $load_start · end $load_end |"
  echo
  echo "The load generator runs on the same cores as the server: compare ratios within this run, not absolute numbers across machines or runs."
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
    client_command "$(field "$s" 3)" "URL" "$duration"
    echo "- $(field "$s" 1) ($(field "$s" 4)): \`${cmd[*]}\`"
  done
  echo
  echo "Contenders:"
  echo
  for c in "${contenders[@]}"; do
    if has "$(field "$c" 1)"; then echo "- **$(field "$c" 1)**: $(field "$c" 2)"; fi
  done
  echo
  echo "## Requests per second"
  echo
  echo "Median of the rounds, min–max of the rounds next to it. *req/CPU-s*: good responses per second of server CPU time (user + system; median of the rounds) — how much work each request costs the server, less sensitive to other load on the machine than req/s."
  echo
  echo "| scenario | contender | req/s (median) | min–max | req/CPU-s |"
  echo "|---|---|---:|---:|---:|"
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    for c in "${active_contenders[@]}"; do
      read -r med lo hi < <(stat_of "$scenario" "$c" 4)
      echo "| $scenario | $c | $med | $lo–$hi | $(efficiency_of "$scenario" "$c") |"
    done
  done
  echo
  echo "## Noise"
  echo
  echo "*Other load*: CPU cores busy with neither the measured server nor the load client during a round (from \`/proc/stat\` minus both processes' CPU time): the rest of the machine. The load average counts the benchmark itself (server + client ≈ 2)."
  echo
  echo "| scenario | load average before → after | other load, median (max) |"
  echo "|---|---|---|"
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    echo "| $scenario | ${load_before[$scenario]} → ${load_after[$scenario]} | $(other_load_of "$scenario") cores |"
  done
  echo
  echo "## Ratios"
  echo
  echo "Ratio of the req/s medians; in brackets the range of the per-round ratios (contenders measured back to back in the same round); after the dot, the ratio of the req/CPU-s medians (cost per request, less noisy)."
  echo
  header="| scenario |"; rule="|---|"
  for r in "${ratios[@]}"; do header+=" $(field "$r" 1) / $(field "$r" 2) |"; rule+="---:|"; done
  echo "$header"; echo "$rule"
  for s in "${active_scenarios[@]}"; do
    scenario="$(field "$s" 1)"
    row="| $scenario |"
    for r in "${ratios[@]}"; do
      a="$(field "$r" 1)"; b="$(field "$r" 2)"
      if has "$a" && has "$b"; then
        row+=" $(ratio_of "$scenario" "$a" "$b") ($(paired_ratios "$scenario" "$a" "$b")) · $(efficiency_ratio_of "$scenario" "$a" "$b") |"
      else
        row+=" - |"
      fi
    done
    echo "$row"
  done
  echo
  echo "## Goals"
  echo
  echo "Met or not is judged on the req/s ratio of medians, as the goals are stated; the req/CPU-s ratio is given beside it."
  echo
  echo "| goal | req/s ratio | per-round range | req/CPU-s ratio | met? |"
  echo "|---|---:|---:|---:|---|"
  for g in "${goals[@]}"; do
    scenario="$(field "$g" 1)"; a="$(field "$g" 2)"; b="$(field "$g" 3)"; min="$(field "$g" 4)"
    if has_scenario "$scenario" && has "$a" && has "$b"; then
      ratio="$(ratio_of "$scenario" "$a" "$b")"
      met="$(awk -v r="$ratio" -v m="$min" 'BEGIN { if (r == "-") print "-"; else if (r + 0 >= m + 0) print "yes"; else printf "**no** (%.0f%% short)\n", (1 - r / m) * 100 }')"
      echo "| $(field "$g" 5) | $ratio | $(paired_ratios "$scenario" "$a" "$b") | $(efficiency_ratio_of "$scenario" "$a" "$b") | $met |"
    fi
  done
  echo
  echo "## Allocations"
  echo
  echo "Bytes the .NET contenders allocated per request over the whole run (GC total at exit ÷ every request served, warm-ups included; startup allocations are spread over millions of requests). Unlike req/s this does not move with other load."
  echo
  echo "| contender | bytes allocated per request |"
  echo "|---|---:|"
  for c in "${active_contenders[@]}"; do
    if [ "$c" != node ]; then echo "| $c | $(allocated_per_request "$c") |"; fi
  done
  echo
  if [ -s "$work/failures.txt" ]; then
    echo "## Failures"
    echo
    # Paths relative to the repository: the report is committed and must not name this machine's folders.
    sed -e "s|$repo/||g" -e 's/^/- /' "$work/failures.txt"
    echo
  fi
  echo "## Raw rounds"
  echo
  echo "<details><summary>every measurement (scenario, round, contender, req/s, good responses, errors, server CPU-s, other load)</summary>"
  echo
  echo "| scenario | round | contender | req/s | ok | errors | server CPU-s | other load |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$rounds_tsv"
  echo
  echo "</details>"
} > "$out"

echo "== results: ${out#"$repo"/}"
if [ "$failures" -gt 0 ]; then
  echo "error: $failures check(s) failed:" >&2
  sed 's/^/  /' "$work/failures.txt" >&2
  exit 1
fi
if [ "$smoke" = 1 ]; then
  echo "== smoke: every contender answered every scenario correctly"
fi

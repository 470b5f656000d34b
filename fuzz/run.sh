#!/usr/bin/env bash
# Coverage-guided fuzzing of one target (or "all") for a bounded time, with AFL++ and SharpFuzz.
#   fuzz/run.sh <target|all> <seconds per target>
# Targets: ipc, control, clienthello, certificate (fuzz/Roost.FuzzTargets; `--list` describes them).
# Builds the targets, instruments Roost.Server.dll and Roost.Cluster.dll with SharpFuzz (the dotnet tool pinned in
# fuzz/dotnet-tools.json), runs afl-fuzz from the committed seed corpus fuzz/corpus/<target>, then replays what
# AFL++ saved as crashes or hangs. Exit 1 when a target crashed (each crashing input is printed in base64 and kept
# under fuzz/.work/findings/<target>/default/crashes); commit it to fuzz/regressions/<target>/ with the fix.
# Needs afl++ (Debian package); installs nothing itself.
set -euo pipefail
cd "$(dirname "$0")"

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: fuzz/run.sh <ipc|control|clienthello|certificate|all> <seconds per target>" >&2
  exit 2
fi
targets=("$1")
[[ $1 == all ]] && targets=(ipc control clienthello certificate)
seconds=$2
command -v afl-fuzz >/dev/null || { echo "error: afl-fuzz is not installed (Debian package afl++)." >&2; exit 2; }

work=.work
bin=$work/bin        # instrumented: runs only under afl-fuzz (the probes write to AFL's shared memory)
replay=$work/replay  # the same build, not instrumented: replays and prints what AFL++ saved
rm -rf "$bin" "$replay" && mkdir -p "$work"
dotnet publish Roost.FuzzTargets -c Release -o "$replay" --nologo -v quiet
cp -r "$replay" "$bin"
dotnet tool restore >/dev/null
for dll in Roost.Server.dll Roost.Cluster.dll; do
  dotnet sharpfuzz "$bin/$dll" >/dev/null
done

# No UI, no CPU binding (the machine is shared), the .NET host is not an AFL-instrumented binary (SharpFuzz speaks
# the fork server protocol from inside the process), and no core-dump or CPU-governor checks (CI has no say there).
export AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
export DOTNET_TieredPGO=0 DOTNET_TieredCompilation=0

# One target: afl-fuzz for the given time, then the replay of what it saved. Everything it prints goes to stdout (the
# caller collects it per target). Returns 1 when the target crashed or hung, 2 when afl-fuzz could not run.
fuzz_target() {
  local target=$1 out=$work/findings/$1 stats crashes hangs status=0
  rm -rf "$out"
  echo "=== fuzz $target for ${seconds}s"
  # -t: a run longer than 5 s is a hang (generous: the machine is shared); -m none: the .NET runtime maps far more
  # than AFL's default memory limit.
  afl-fuzz -i "corpus/$target" -o "$out" -V "$seconds" -t 5000 -m none -- dotnet "$bin/Roost.FuzzTargets.dll" "$target" \
    > "$work/$target.log" 2>&1 || { echo "afl-fuzz failed on $target:"; tail -30 "$work/$target.log"; return 2; }
  stats=$out/default/fuzzer_stats
  grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg|unique_crashes|unique_hangs) ' "$stats" | tr -s ' ' | paste -sd' ' || true
  crashes=$(find "$out/default/crashes" -type f -name 'id:*' 2>/dev/null | sort || true)
  if [[ -n $crashes ]]; then
    echo "CRASH: $target crashed on $(echo "$crashes" | wc -l) input(s); replaying them:"
    # shellcheck disable=SC2086
    dotnet "$replay/Roost.FuzzTargets.dll" "$target" --replay $crashes || true
    status=1
  fi
  hangs=$(find "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | sort || true)
  if [[ -n $hangs ]]; then
    echo "HANG?: $target timed out on $(echo "$hangs" | wc -l) input(s); replaying them with a 30 s limit:"
    # shellcheck disable=SC2086
    if ! timeout 30 dotnet "$replay/Roost.FuzzTargets.dll" "$target" --replay $hangs; then
      for hang in $hangs; do echo "  input (base64): $(base64 -w0 "$hang")"; done
      status=1
    fi
  fi
  return $status
}

for target in "${targets[@]}"; do
  [[ -d corpus/$target ]] || { echo "error: no corpus folder fuzz/corpus/$target; targets: ipc control clienthello certificate" >&2; exit 2; }
done
mkdir -p "$work/findings"

# Targets run side by side, one per core (FUZZ_JOBS overrides): afl-fuzz and its target take turns, so one target
# keeps about one core busy, and each still gets its full time. Their reports are printed in order.
jobs=${FUZZ_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "error: FUZZ_JOBS must be a whole number above 0; got '$jobs'." >&2; exit 2; }
status=0
broken=0
for ((first = 0; first < ${#targets[@]}; first += jobs)); do
  batch=("${targets[@]:first:jobs}")
  pids=()
  for target in "${batch[@]}"; do
    fuzz_target "$target" > "$work/$target.report" 2>&1 &
    pids+=($!)
  done
  for i in "${!batch[@]}"; do
    code=0
    wait "${pids[$i]}" || code=$?
    cat "$work/${batch[$i]}.report"
    if [[ $code -ne 0 ]]; then status=1; fi
    if [[ $code -eq 2 ]]; then broken=1; fi
  done
  # afl-fuzz could not run: the batch is over (nothing left running); the rest would fail the same way.
  if [[ $broken -eq 1 ]]; then exit 1; fi
done
exit $status

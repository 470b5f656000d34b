#!/usr/bin/env bash
# Publishes programs as NativeAOT for the benchmarks: each project into OUT/<name>/ (its native executable is
# OUT/<name>/<assembly name>), all projects at once, side by side.
#
#   benchmarks/publish-aot.sh OUT PROJECT...        e.g. benchmarks/publish-aot.sh .work/aot src/Roost.Cli/Roost.Cli.csproj
#
# The command per project (PublishAot on the command line, so it works whether or not the csproj sets it; gcc links
# because clang may not be installed; TreatWarningsAsErrors off so the libraries' trim/AOT warnings are reported,
# not fatal):
#   dotnet publish PROJECT -c Release -r linux-<arch> -p:PublishAot=true -p:CppCompilerAndLinker=gcc
#     -p:TreatWarningsAsErrors=false --artifacts-path OUT/<name>.artifacts -o OUT/<name>
#     -p:EnableSourceControlManagerQueries=false -p:IncludeSourceRevisionInInformationalVersion=false
# (the last two keep the git commit out of the assemblies: otherwise every commit changes the informational version,
# so every commit recompiles the native code even with unchanged sources).
# Each project gets its own --artifacts-path (bin/obj of the project and every project it references): the JIT
# Release build of the same projects (bin/, obj/) does not invalidate it, so a second publish with unchanged sources
# skips the native compilation (a few seconds instead of ~1 min), and parallel publishes share no file.
# Trim/AOT warnings (ILxxxx), deduplicated, go to OUT/<name>.warnings (paths relative to the repository); the full
# log to OUT/<name>.log. Exit code 1 (with the log's tail) when a publish fails.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: benchmarks/publish-aot.sh OUT PROJECT..." >&2
  exit 2
fi
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$1"; shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "error: no NativeAOT runtime identifier known for machine '$(uname -m)' (expected x86_64 or aarch64)." >&2; exit 1 ;;
esac
if ! command -v gcc >/dev/null; then
  echo "error: 'gcc' is not installed (NativeAOT links with it here); install the Debian package 'gcc'." >&2
  exit 1
fi

pids=()
names=()
for project in "$@"; do
  [ -f "$project" ] || { echo "error: project '$project' not found." >&2; exit 1; }
  name="$(basename "$project" .csproj)"
  names+=("$name")
  dotnet publish "$project" -c Release -r "$rid" -nologo \
    -p:PublishAot=true -p:CppCompilerAndLinker=gcc -p:TreatWarningsAsErrors=false \
    -p:EnableSourceControlManagerQueries=false -p:IncludeSourceRevisionInInformationalVersion=false \
    --artifacts-path "$out/$name.artifacts" -o "$out/$name" > "$out/$name.log" 2>&1 &
  pids+=("$!")
done
status=0
for i in "${!pids[@]}"; do
  name="${names[$i]}"
  if ! wait "${pids[$i]}"; then
    tail -n 30 "$out/$name.log" >&2
    echo "error: the NativeAOT publish of $name failed (log above: $out/$name.log)." >&2
    status=1
  fi
  { grep -oE '[^ ]*: warning IL[0-9]+: .*' "$out/$name.log" || true; } | sed "s|$repo/||g" | sort -u > "$out/$name.warnings"
done
exit "$status"

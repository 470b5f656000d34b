#!/usr/bin/env bash
# Brings the libraries' PublicAPI.Unshipped.txt files up to date with their code (docs/packages.md#public-api).
#
#   scripts/public-api.sh           add every new public symbol to PublicAPI.Unshipped.txt (RS0016) and mark every
#                                   removed one (RS0017), with the analyzer's own code fixes; review the diff
#   scripts/public-api.sh --ship    at a release: move every Unshipped line into PublicAPI.Shipped.txt
#
# It runs `dotnet format analyzers`, which applies the fixes the IDE's light bulb would (no IDE needed).
set -euo pipefail
cd "$(dirname "$0")/.."

libraries=(src/Roost.Server src/Roost.Cluster src/Roost.SharedState src/Roost.StartupHook)

ship() {
  local dir=$1 shipped="$1/PublicAPI.Shipped.txt" unshipped="$1/PublicAPI.Unshipped.txt"
  # A "*REMOVED*<line>" entry deletes <line> from Shipped; every other entry is added to it.
  local removed added
  removed=$(grep '^\*REMOVED\*' "$unshipped" | sed 's/^\*REMOVED\*//' || true)
  added=$(grep -v -e '^#nullable enable$' -e '^\*REMOVED\*' -e '^$' "$unshipped" || true)
  {
    echo '#nullable enable'
    { grep -v -e '^#nullable enable$' -e '^$' "$shipped" | grep -v -x -F -f <(printf '%s\n' "$removed") || true
      if [ -n "$added" ]; then printf '%s\n' "$added"; fi
    } | LC_ALL=C sort -u
  } > "$shipped.new"
  mv "$shipped.new" "$shipped"
  echo '#nullable enable' > "$unshipped"
  echo "$dir: shipped $(printf '%s' "$added" | grep -c . || true) entries, removed $(printf '%s' "$removed" | grep -c . || true)"
}

if [ "${1:-}" = "--ship" ]; then
  for dir in "${libraries[@]}"; do ship "$dir"; done
  exit 0
fi

# New public symbols (RS0016) and changed nullability (RS0036/RS0037): the analyzer's code fixes write them into
# PublicAPI.Unshipped.txt.
for dir in "${libraries[@]}"; do
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || echo '#nullable enable' > "$dir/$file"
  done
  echo "== $dir"
  dotnet restore "$dir" --verbosity quiet
  dotnet format analyzers "$dir" --no-restore --diagnostics RS0016 RS0036 RS0037 --severity warn
done

# Removed symbols (RS0017) have no code fix: the build names each one and the file that declares it. A symbol only in
# Unshipped (never released) is deleted from it; a released one (in Shipped) gets a "*REMOVED*" line in Unshipped,
# which is a breaking change for the next version (docs/packages.md#public-api).
echo "== removed symbols"
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
# StartupHook references every other library, so one build reports them all.
dotnet build src/Roost.StartupHook -c Release --no-restore -p:TreatWarningsAsErrors=false > "$build_log" 2>&1 || true
perl -ne 'print "$1\t$2\n" if m{^(\S+/PublicAPI\.(?:Shipped|Unshipped)\.txt)\(\d+,\d+\): (?:error|warning) RS0017: Symbol \x27(.*)\x27 is part of the declared API}' "$build_log" |
  sort -u |
  while IFS=$'\t' read -r file symbol; do
    unshipped="$(dirname "$file")/PublicAPI.Unshipped.txt"
    if [[ "$file" == *PublicAPI.Unshipped.txt ]]; then
      grep -v -x -F -- "$symbol" "$unshipped" > "$unshipped.new" || true
      mv "$unshipped.new" "$unshipped"
      echo "removed from $unshipped: $symbol"
    else
      echo "*REMOVED*$symbol" >> "$unshipped"
      echo "marked removed in $unshipped: $symbol"
    fi
  done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true

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

for dir in "${libraries[@]}"; do
  for file in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$file" ] || echo '#nullable enable' > "$dir/$file"
  done
  echo "== $dir"
  dotnet format analyzers "$dir" --diagnostics RS0016 RS0017 RS0036 RS0037 --severity warn
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true

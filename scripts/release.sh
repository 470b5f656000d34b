#!/usr/bin/env bash
# Makes a Roost release for this machine's architecture (docs/cli.md#install):
#
#   scripts/release.sh [--rid linux-x64|linux-arm64] [--out DIR] [--symbols] [-- extra dotnet pack arguments]
#
# into DIR (default: artifacts/):
#   packages/roost.<version>.nupkg              the `roost` tool package users install (points at the ones below)
#   packages/roost.any.<version>.nupkg          the framework-dependent roost, for every platform without a native one
#   packages/roost.<rid>.<version>.nupkg        the native (NativeAOT) roost with hook/ beside it
#   release/roost-<version>-<rid>.tar.gz        the native roost, hook/, libe_sqlite3.so, LICENSE and README.md,
#   release/roost-<version>-<rid>.tar.gz.sha256   in a folder of the same name (`sha256sum -c` checks it)
#   release/roost-<version>-<rid>/              that folder, unpacked (.ci/run tests the native roost from it)
#   release/roost-<version>-<rid>-symbols.tar.gz  with --symbols: roost.dbg, the native debug symbols (39 MB)
#
# The native code is compiled once (`dotnet pack -r <rid>` publishes it); a later `dotnet publish -r <rid>` of the
# same sources reuses that compilation, and so does a second run of this script. NativeAOT compiles only for the
# architecture it runs on unless a cross toolchain is set up, so each native package is made on its own machine:
# linux-x64 on an x86_64 host, linux-arm64 on an aarch64 host (the pointer and `any` packages come out the same on
# both; publish one set). Cross-compiling linux-arm64 on x86_64 needs clang, an arm64 sysroot (libc and zlib) and
# an arm64 objcopy; pass them after `--`, e.g. `-- -p:SysRoot=/crossrootfs/arm64 -p:ObjCopyName=llvm-objcopy`,
# with --rid linux-arm64.
#
# The version is VersionPrefix in Directory.Build.props (`-- -p:VersionSuffix=rc.1` for a pre-release); the commit
# comes from git (roost --version shows both).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

usage() { sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

case "$(uname -m)" in
  x86_64) host_rid=linux-x64 ;;
  aarch64 | arm64) host_rid=linux-arm64 ;;
  *) host_rid="" ;;
esac
rid="$host_rid"
out=artifacts
symbols=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rid="${2:?--rid needs a value: linux-x64 or linux-arm64}"; shift 2 ;;
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --symbols) symbols=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) usage ;;
    *) echo "error: unknown argument '$1'. Run scripts/release.sh --help." >&2; exit 2 ;;
  esac
done

case "$rid" in
  linux-x64 | linux-arm64) ;;
  "") echo "error: no native roost for machine '$(uname -m)': Roost ships native builds for x86_64 (linux-x64) and aarch64 (linux-arm64) only; other platforms use the framework-dependent package (dotnet pack src/Roost.Cli -c Release -r any -p:PublishAot=false)." >&2; exit 1 ;;
  *) echo "error: --rid '$rid' is not a release target; use linux-x64 or linux-arm64." >&2; exit 2 ;;
esac
if [ "$rid" != "$host_rid" ]; then
  echo "note: building $rid on a $(uname -m) machine is a cross compilation: it needs clang, a $rid sysroot and objcopy for it (see the top of this script)." >&2
  extra=(-p:CppCompilerAndLinker=clang "${extra[@]}")
fi
for tool in tar gzip sha256sum; do
  command -v "$tool" >/dev/null || { echo "error: '$tool' is not installed; it is needed to make the archive." >&2; exit 1; }
done
[ -f LICENSE ] || { echo "error: LICENSE not found at the repository root; the archive must carry it." >&2; exit 1; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"
packages="$out/packages"
release="$out/release"
mkdir -p "$packages" "$release"

version="$(dotnet msbuild src/Roost.Cli/Roost.Cli.csproj -nologo -getProperty:Version -p:Configuration=Release "${extra[@]}")"
name="roost-$version-$rid"
stage="$release/$name"
echo "== roost $version for $rid -> $out"

# A fresh publish folder: the package takes everything in it, so nothing from an earlier publish may be left there.
publish="$out/obj/$rid/publish"
rm -rf "$publish" "$stage"
started=$(date +%s)
took() { echo "   ($(( $(date +%s) - started )) s)"; started=$(date +%s); }
echo "-- native tool package (NativeAOT; about 1-3 minutes when the sources changed)"
dotnet pack src/Roost.Cli/Roost.Cli.csproj -c Release -r "$rid" -o "$packages" -nologo \
  -p:PublishDir="$publish/" "${extra[@]}"
took
echo "-- tool package roost (points at the native and framework-dependent ones)"
dotnet pack src/Roost.Cli/Roost.Cli.csproj -c Release -o "$packages" -nologo "${extra[@]}"
took
echo "-- framework-dependent tool package roost.any"
dotnet pack src/Roost.Cli/Roost.Cli.csproj -c Release -r any -p:PublishAot=false -o "$packages" -nologo "${extra[@]}"
took

[ -x "$publish/roost" ] || { echo "error: the publish did not produce '$publish/roost'." >&2; exit 1; }
[ -f "$publish/hook/Roost.StartupHook.dll" ] || { echo "error: the publish did not produce '$publish/hook/Roost.StartupHook.dll' (roost run needs it)." >&2; exit 1; }
mkdir -p "$stage"
cp -a "$publish/." "$stage/"
cp LICENSE "$stage/LICENSE"
cat > "$stage/README.md" <<EOF
# roost $version ($rid)

Roost: HTTPS + HTTP/2 servers for .NET, the way Node's https, http2 and cluster modules work.

- \`roost\`: the native (NativeAOT) command. \`./roost serve\` serves HTTPS + HTTP/2 on port 8443 with a development
  certificate; \`./roost serve --cert site.pem --key site.key --ca chain.pem\` with yours; \`./roost --help\`.
- \`hook/\`: what \`roost run <app>\` gives its workers (they are \`dotnet app.dll\`, so \`roost run\` needs the .NET 10
  runtime; \`roost serve\` needs nothing else). Keep it beside \`roost\`.
- \`libe_sqlite3.so\`: SQLite, for \`--state sqlite:\`. Keep it beside \`roost\`.

Install: copy this folder anywhere (e.g. /opt/roost) and put \`roost\` on PATH (a symbolic link works).
Or, with the .NET SDK: \`dotnet tool install -g roost\`.

Documentation: docs/cli.md in the source repository. License: MIT (LICENSE).
EOF

# Plain permissions whatever the build left (NuGet's cache keeps some libraries rwxr--r--).
chmod -R u=rwX,go=rX "$stage"
chmod 755 "$stage/roost"

# A reproducible archive: names sorted, owner root, every time stamp the commit's.
epoch="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
archive="$release/$name.tar.gz"
tar -C "$release" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" | gzip -n -9 > "$archive"
(cd "$release" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
if [ "$symbols" -eq 1 ]; then
  dbg="src/Roost.Cli/bin/Release/net10.0/$rid/native/roost.dbg"
  [ -f "$dbg" ] || { echo "error: '$dbg' not found; the native debug symbols are made by the publish." >&2; exit 1; }
  tar -C "$(dirname "$dbg")" --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - roost.dbg | gzip -n > "$release/$name-symbols.tar.gz"
  (cd "$release" && sha256sum "$name-symbols.tar.gz" > "$name-symbols.tar.gz.sha256")
fi

took
echo "== done"
ls -l "$packages"/roost.*"$version".nupkg "$archive" "$archive.sha256"
if [ "$rid" = "$host_rid" ]; then
  "$stage/roost" --version
fi

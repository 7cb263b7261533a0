#!/usr/bin/env bash
# fetch-chdb.sh: put chDB's shared library where internal/chdb looks for it,
#   ${XDG_CACHE_HOME:-$HOME/.cache}/canonic/chdb/<version>/libchdb.so
# and print that path. It takes the library from the npm package
# @chdb/lib-linux-x64-gnu (needs node/npm, Linux x86-64 with glibc).
# Idempotent: when the file is already there it only prints the path.
#
# Usage: internal/chdb/fetch-chdb.sh            (what `make chdb` runs)
# Env:   CHDB_VERSION overrides the version (must match chdb.LibVersion).
set -euo pipefail

version="${CHDB_VERSION:-26.7.3-stable.1}"
pkg="@chdb/lib-linux-x64-gnu@${version}"

cache="${XDG_CACHE_HOME:-}"
case "$cache" in
  /*) ;;                     # the XDG spec ignores a relative XDG_CACHE_HOME, as chdb.DefaultLibPath does
  *) cache="${HOME:?HOME is not set and XDG_CACHE_HOME is not an absolute path}/.cache" ;;
esac
dest_dir="${cache}/canonic/chdb/${version}"
dest="${dest_dir}/libchdb.so"

if [ -s "$dest" ]; then
  echo "$dest"
  exit 0
fi

if [ "$(uname -s)" != Linux ] || [ "$(uname -m)" != x86_64 ]; then
  echo "fetch-chdb.sh: only linux x86-64 is packaged here ($(uname -s) $(uname -m) is not); set CHDB_LIB_PATH to a libchdb.so built for this machine" >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-chdb.sh: npm is needed to download ${pkg}; install Node.js (e.g. apt-get install -y nodejs npm) and run again" >&2
  exit 1
fi

mkdir -p "$dest_dir"
work="$(mktemp -d "${dest_dir}/.fetch.XXXXXX")"   # same file system as dest, so mv is atomic
trap 'rm -rf "$work"' EXIT

echo "fetch-chdb.sh: downloading ${pkg} (a download of some hundred MB; the library is about 570 MB)..." >&2
(cd "$work" && npm pack --silent --cache "$work/npm-cache" "$pkg" >/dev/null)
tarball="$(ls "$work"/*.tgz 2>/dev/null | head -n 1)"
if [ -z "$tarball" ]; then
  echo "fetch-chdb.sh: npm pack ${pkg} produced no tarball" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/libchdb.so
if [ ! -s "$work/package/libchdb.so" ]; then
  echo "fetch-chdb.sh: ${pkg} holds no package/libchdb.so" >&2
  exit 1
fi
chmod 0755 "$work/package/libchdb.so"
mv -f "$work/package/libchdb.so" "$dest"

echo "$dest"

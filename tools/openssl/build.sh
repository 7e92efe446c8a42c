#!/usr/bin/env bash
# Builds OpenSSL 3.6 as shared libraries (libssl.so.3, libcrypto.so.3) into ~/.cache/crossgate/openssl-<version>/lib,
# once, and prints that directory. For crossgate.tls.library=openssl on hosts whose own OpenSSL is older than the 3.2
# netty-tcnative's dynamic build links against (Debian 12 has 3.0): the test of that setting (HostOpenSslTest) loads
# the gateway with LD_LIBRARY_PATH pointing here. The source is the one crates.io serves in openssl-src (checked
# against its SHA-256); that copy leaves out OpenSSL's generator of the libraries' symbol-version script, so
# version-script.pl beside this file stands in for it. About 4 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crate=openssl-src-300.6.1+3.6.3
sha256=46eb8fb9fb3b61ce1c0f8a026c4c1a0714d3a9e138e7fbde78753ce2babc3846
lib=${CROSSGATE_CACHE:-$HOME/.cache/crossgate}/openssl-${crate#*+}/lib
if [ -s "$lib/libssl.so.3" ] && [ -s "$lib/libcrypto.so.3" ]; then
  echo "$lib"
  exit 0
fi
mkdir -p "$lib"
work=$(mktemp -d "$lib/../build.XXXXXX")
trap 'rm -rf "$work"' EXIT
curl -fsSL --retry 3 -o "$work/crate.tar.gz" "https://static.crates.io/crates/openssl-src/$crate.crate" >&2
echo "$sha256  $work/crate.tar.gz" | sha256sum -c --quiet - >&2
tar -xzf "$work/crate.tar.gz" -C "$work"
cd "$work/$crate/openssl"
cp "$here/version-script.pl" util/mkdef.pl
# no-legacy: the crate leaves out the legacy provider's symbol list too (and nothing here needs MD4 or DES)
./Configure linux-"$(uname -m)" shared no-tests no-docs no-legacy --prefix=/nonexistent --libdir=lib >&2
make -j"$(nproc)" build_libs >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
cp -L libssl.so.3 libcrypto.so.3 "$work/"
mv "$work/libcrypto.so.3" "$lib/"   # libssl last: its presence says the build is whole
mv "$work/libssl.so.3" "$lib/"
echo "$lib"

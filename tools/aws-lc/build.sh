#!/usr/bin/env bash
# Builds netty-tcnative against AWS-LC into ~/.cache/crossgate/aws-lc-<version>/tcnative-<sources>/, once, and prints
# that directory: the one to put on java.library.path for crossgate.tls.library=aws-lc. AWS-LC is BoringSSL's API
# with OpenSSL's AVX-512 IFMA RSA code; netty-tcnative ships no AWS-LC build, so this one links it statically into
# the C sources of the netty-tcnative version the gateway's build unpacks (gateway/target/tcnative-src, or $1).
# AWS-LC's source is the copy crates.io serves in aws-lc-sys (checked against its SHA-256), built without Go or
# Perl from its pregenerated assembly. Needs cmake, a C compiler, a JDK's headers and libapr1-dev; the result needs
# libapr-1 at run time. About 2 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
crate=aws-lc-sys-0.47.0
sha256=8bfbe32ac36b3c428696ce315464181bc4029d689fd58e3f2a4e58c252242f52
version=5.12.0   # AWSLC_VERSION_NUMBER_STRING of that crate
sources=$(cd "${1:-$root/gateway/target/tcnative-src}" && pwd)
library=libnetty_tcnative_linux_$(uname -m | sed 's/aarch64/aarch_64/').so
[ -f "$sources/sslcontext.c" ] && [ -f "$sources/netty_jni_util.c" ] ||
  { echo "no netty-tcnative sources in $sources: build the gateway first (./mvnw install -DskipTests)" >&2; exit 1; }
cache=${CROSSGATE_CACHE:-$HOME/.cache/crossgate}/aws-lc-$version
out=$cache/tcnative-$(cat "$sources"/*.c "$sources"/*.h | sha256sum | cut -c1-12)
if [ -s "$out/$library" ]; then
  echo "$out"
  exit 0
fi
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
apr_include=$(pkg-config --variable=includedir apr-1 2>/dev/null || echo /usr/include/apr-1.0)
[ -f "$java_home/include/jni.h" ] || { echo "no JDK headers under $java_home (set JAVA_HOME to a JDK)" >&2; exit 1; }
[ -f "$apr_include/apr.h" ] || { echo "no APR headers at $apr_include (install libapr1-dev)" >&2; exit 1; }

if [ ! -s "$cache/lib/libssl.a" ]; then   # AWS-LC itself, shared by every tcnative version
  work=$(mktemp -d "${TMPDIR:-/tmp}/aws-lc.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  curl -fsSL --retry 3 -o "$work/crate.tar.gz" "https://static.crates.io/crates/aws-lc-sys/$crate.crate" >&2
  echo "$sha256  $work/crate.tar.gz" | sha256sum -c --quiet - >&2
  tar -xzf "$work/crate.tar.gz" -C "$work"
  src=$work/$crate/aws-lc
  # the crate leaves out the bssl tools; ENABLE_SOURCE_MODIFICATION=OFF keeps the build out of the source tree
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DBUILD_TESTING=OFF \
    -DBUILD_TOOL=OFF -DDISABLE_GO=ON -DDISABLE_PERL=ON -DENABLE_SOURCE_MODIFICATION=OFF >"$work/cmake.log" 2>&1 ||
    { tail -40 "$work/cmake.log" >&2; exit 1; }
  cmake --build "$work/build" -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
  mkdir -p "$cache"
  rm -rf "$cache/include" && cp -r "$src/include" "$cache/include"
  mkdir -p "$cache/lib" && cp "$work/build/crypto/libcrypto.a" "$cache/lib/"
  cp "$work/build/ssl/libssl.a" "$cache/lib/"   # last: its presence says AWS-LC is whole
fi

mkdir -p "$out"
# AWS-LC's symbols stay inside (--exclude-libs): only the JNI entry points are exported
cc -O2 -fPIC -shared -fvisibility=hidden -Werror=implicit-function-declaration -Wno-deprecated-declarations \
  -I"$java_home/include" -I"$java_home/include/linux" -I"$apr_include" -I"$cache/include" -I"$sources" \
  "$sources"/*.c -o "$out/$library.tmp" \
  -Wl,--exclude-libs,ALL -Wl,-z,noexecstack "$cache/lib/libssl.a" "$cache/lib/libcrypto.a" -lapr-1 -lpthread >&2
mv "$out/$library.tmp" "$out/$library"
echo "$out"

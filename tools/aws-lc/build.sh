#!/usr/bin/env bash
# Builds netty-tcnative against AWS-LC into ~/.cache/crossgate/aws-lc-<version>/tcnative-<sources>/, once, and prints
# that directory: the one to put on java.library.path for crossgate.tls.library=aws-lc. AWS-LC is BoringSSL's API
# with OpenSSL's AVX-512 IFMA RSA code; netty-tcnative ships no AWS-LC build, so this one links it statically into
# the C sources of the netty-tcnative version the gateway's pom names (unpacked to gateway/target/tcnative-src, by the
# build or here when missing; or $1). --missing-packages prints the Debian packages it needs that are not installed.
# AWS-LC's source is the copy crates.io serves in aws-lc-sys (checked against its SHA-256), built without Go or
# Perl from its pregenerated assembly. Needs cmake, a C compiler, a JDK's headers and libapr1-dev. The directory
# carries the host's libapr-1 (and what it links besides glibc) next to the library, which finds them there, so it
# can be copied as a whole onto a host or into an image without APR. About 2 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = --missing-packages ]; then
  command -v cmake >/dev/null || echo cmake
  command -v cc >/dev/null || echo gcc
  [ -f /usr/include/apr-1.0/apr.h ] || echo libapr1-dev   # APR's headers; the package brings libapr-1 too
  exit 0
fi
crate=aws-lc-sys-0.47.0
sha256=8bfbe32ac36b3c428696ce315464181bc4029d689fd58e3f2a4e58c252242f52
version=5.12.0   # AWSLC_VERSION_NUMBER_STRING of that crate
if [ -z "${1:-}" ] && [ ! -f "$root/gateway/target/tcnative-src/netty_jni_util.c" ]; then
  "$root/mvnw" -q -B -ntp -f "$root/pom.xml" -pl gateway dependency:unpack@tcnative-sources >&2
fi
sources=$(cd "${1:-$root/gateway/target/tcnative-src}" && pwd)
library=libnetty_tcnative_linux_$(uname -m | sed 's/aarch64/aarch_64/').so
[ -f "$sources/sslcontext.c" ] && [ -f "$sources/netty_jni_util.c" ] ||
  { echo "no netty-tcnative and netty-jni-util sources in $sources" >&2; exit 1; }
cache=${CROSSGATE_CACHE:-$HOME/.cache/crossgate}/aws-lc-$version
out=$cache/tcnative-$(cat "$sources"/*.c "$sources"/*.h "$0" | sha256sum | cut -c1-12)   # a new recipe builds anew
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
# AWS-LC's symbols stay inside (--exclude-libs): only the JNI entry points are exported; $ORIGIN: APR beside it
cc -O2 -fPIC -shared -fvisibility=hidden -Werror=implicit-function-declaration -Wno-deprecated-declarations \
  -I"$java_home/include" -I"$java_home/include/linux" -I"$apr_include" -I"$cache/include" -I"$sources" \
  "$sources"/*.c -o "$out/$library.tmp" \
  -Wl,--exclude-libs,ALL -Wl,-z,noexecstack -Wl,-rpath,'$ORIGIN' "$cache/lib/libssl.a" "$cache/lib/libcrypto.a" \
  -Wl,--no-as-needed -lapr-1 -luuid -lpthread >&2   # libuuid is APR's: named here, the loader looks for it beside too
# every library it loads that is not glibc's own (libapr-1, libuuid), resolved by the host's loader
ldd "$out/$library.tmp" | awk '$3 ~ /^\// && $1 !~ /^(libc|libm|libpthread|libdl|librt|ld-linux.*)\.so/ {print $3}' |
  while read -r lib; do cp -L "$lib" "$out/"; done
mv "$out/$library.tmp" "$out/$library"   # last: its presence says the directory is whole
echo "$out"

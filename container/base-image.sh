#!/usr/bin/env bash
# Builds the test base image without any registry: a jlink'ed JRE of the running JDK on a minimal root
# filesystem made of the libraries it links against, imported into podman and saved as a docker archive that
# Jib builds on. Cached: prints the archive's path, and rebuilds only when it is missing.
# Users build on a public JRE image instead (see the jib configuration in gateway/pom.xml).
set -euo pipefail
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
version=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}' | tr -c 'A-Za-z0-9_.\n-' '-')
cache=${CROSSGATE_CACHE:-$HOME/.cache/crossgate}
archive="$cache/base-jre-$version-v4.tar"
name="localhost/crossgate-base:jre-$version"
if [ -s "$archive" ]; then
  echo "$archive"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# every provider java.security lists is here: a missing one (XMLDSig, SunPCSC, SunPKCS11, ...) sends the JDK through
# ServiceLoader when an algorithm lookup reaches it, which verifies BouncyCastle's signed jar and builds its provider
# (700 classes, a quarter of a second at start) just to read its name
modules=java.base,java.logging,java.naming,java.management,jdk.crypto.ec,java.net.http,jdk.unsupported,java.security.jgss,jdk.management,java.xml,java.sql,jdk.naming.dns
modules=$modules,java.security.sasl,java.xml.crypto,java.smartcardio,jdk.crypto.cryptoki,jdk.security.jgss
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive \
  --output "$work/rootfs/opt/java" >&2
# the JRE's shared libraries and the loader, where the binaries look for them
for lib in $(find "$work/rootfs/opt/java" -name '*.so' -o -name java -type f | xargs ldd 2>/dev/null | awk '$3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u); do
  mkdir -p "$work/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/rootfs$lib"
done
# and what Netty's own natives (BoringSSL through netty-tcnative, epoll) link besides: without librt, TLS falls back to the JDK
for soname in librt.so.1 libpthread.so.0 libdl.so.2 libm.so.6; do
  # awk reads to the end: leaving early would kill ldconfig with SIGPIPE, which pipefail turns into a failed script
  lib=$(ldconfig -p | awk -v n="$soname" '!found && $1 == n && /x86-64|x86_64|aarch64|AArch64/ {print $NF; found = 1}')
  if [ -n "$lib" ]; then
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
  fi
done
mkdir -p "$work/rootfs/etc" "$work/rootfs/tmp" "$work/rootfs/home/crossgate"
chmod 1777 "$work/rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\ncrossgate:x:10001:10001:crossgate:/home/crossgate:/sbin/nologin\n' > "$work/rootfs/etc/passwd"
printf 'root:x:0:\ncrossgate:x:10001:\n' > "$work/rootfs/etc/group"
printf 'hosts: files dns\n' > "$work/rootfs/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$work/rootfs/etc/hosts"
tar -C "$work/rootfs" -c . | podman import --change 'ENV PATH=/opt/java/bin' --change 'ENV JAVA_HOME=/opt/java' - "$name" >&2
mkdir -p "$cache"
podman save --format docker-archive -o "$archive.part" "$name" >&2
mv "$archive.part" "$archive"
echo "$archive"

#!/usr/bin/env bash
# Builds the Crossgate image with Jib and bakes an AppCDS archive into it: a first image runs once, serving one
# TLS request, and the JVM writes the classes it loaded to an archive at exit; the second image carries the archive
# (/app/cds/crossgate.jsa, named by JDK_JAVA_OPTIONS in the image's environment). The archive must come from the same JVM
# and class path as the image, so it is made inside the image itself. TLS in the image is by AWS-LC
# (crossgate.tls.library=aws-lc, RSA handshakes at 1.7 times BoringSSL's rate), linked into netty-tcnative by
# tools/aws-lc/build.sh and carried in /app/native; CROSSGATE_TLS_LIBRARY=boringssl with JDK_JAVA_OPTIONS naming only
# the archive switches to the jar's own copy.
# Usage: build-image.sh BASE NAME   e.g. build-image.sh tar:///path/base.tar crossgate:e2e   (loads it into podman)
set -euo pipefail
base=$1
name=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
work=$(mktemp -d)
trap 'rm -rf "$work"; podman rm -f crossgate-cds-training >/dev/null 2>&1 || true' EXIT
# the certificate-source modules come from the same reactor (-am), so a fresh clone needs nothing installed in ~/.m2
mvn() { "$root/mvnw" -q -B -ntp -f "$root/pom.xml" -pl gateway -am package jib:buildTar -DskipTests -DskipFuzz \
  -Dcrossgate.image.base="$base" -Dcrossgate.image.name="$name" -Djib.disableUpdateChecks=true "$@"; }
extra="$root/gateway/target/jib-extra"
# java.library.path through JDK_JAVA_OPTIONS like the archive below: the training run's JAVA_TOOL_OPTIONS must not drop it
environment="CROSSGATE_TLS_LIBRARY=aws-lc,JDK_JAVA_OPTIONS=-Djava.library.path=/app/native"

native=$(bash "$root/tools/aws-lc/build.sh")
rm -rf "$extra" && mkdir -p "$extra/app/native" "$extra/app/cds"
cp "$native"/* "$extra/app/native/"
mvn -Djib.extraDirectories.paths="$extra" -Djib.container.environment="$environment"
podman load -i "$root/gateway/target/jib-image.tar" >&2

# the training run: a TLS listener and one request through it to an mTLS backend, then SIGTERM; every hop encrypted, as
# deployed, so that the archive holds the connector's TLS classes too
java -jar "$root/gateway/target/crossgate.jar" certs generate --out "$work/tls" --hosts localhost >/dev/null
mkdir -p "$work/cds" && chmod 777 "$work/cds" && chmod -R a+rX "$work/tls"
# three free ports below the kernel's ephemeral range, where no outgoing connection can take one before the servers bind
# it (the same reason as the tests' LoopbackPorts)
read -r listener admin backend < <(python3 -c '
import random, socket
ports = []
while len(ports) < 3:
    port = random.randrange(20000, 32000)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    if port not in ports:
        ports.append(port)
print(*ports)')
python3 "$here/training-backend.py" "$backend" "$work" >/dev/null 2>&1 & server=$!
podman run -d --name crossgate-cds-training --network host -v "$work/tls:/tls:ro" -v "$work/cds:/cds" \
  -e JAVA_TOOL_OPTIONS=-XX:ArchiveClassesAtExit=/cds/crossgate.jsa \
  -e CROSSGATE_ADMIN_HOST=127.0.0.1 -e CROSSGATE_ADMIN_PORT="$admin" \
  -e CROSSGATE_CERTS_EDGE_SOURCE=file -e CROSSGATE_CERTS_EDGE_CERT_PATH=/tls/server.crt -e CROSSGATE_CERTS_EDGE_KEY_PATH=/tls/server.pem \
  -e CROSSGATE_CERTS_UPSTREAM_SOURCE=file -e CROSSGATE_CERTS_UPSTREAM_CERT_PATH=/tls/client.crt \
  -e CROSSGATE_CERTS_UPSTREAM_KEY_PATH=/tls/client.pem -e CROSSGATE_CERTS_UPSTREAM_CA_PATH=/tls/ca.crt \
  -e CROSSGATE_LISTENERS_EDGE_HOST=127.0.0.1 -e CROSSGATE_LISTENERS_EDGE_PORT="$listener" -e CROSSGATE_LISTENERS_EDGE_TLS_CERTS=edge \
  -e CROSSGATE_LISTENERS_EDGE_CONNECTOR=files -e CROSSGATE_CONNECTORS_FILES_ADDRESS=127.0.0.1:"$backend" \
  -e CROSSGATE_CONNECTORS_FILES_TLS_TRUST=upstream -e CROSSGATE_CONNECTORS_FILES_TLS_CERTS=upstream \
  -e CROSSGATE_CONNECTORS_FILES_TLS_SERVER_NAME=localhost "$name" >/dev/null
served=no
for attempt in $(seq 300); do
  if curl -sf -o /dev/null --cacert "$work/tls/ca.crt" "https://localhost:$listener/"; then served=yes; break; fi
  sleep 0.1
done
podman stop -t 30 crossgate-cds-training >/dev/null
kill "$server"
if [ "$served" != yes ] || [ ! -s "$work/cds/crossgate.jsa" ]; then
  echo "the training run made no AppCDS archive; the image is left without one" >&2
  podman logs crossgate-cds-training >&2 || true
  exit 1
fi
cp "$work/cds/crossgate.jsa" "$extra/app/cds/crossgate.jsa"
# named by JDK_JAVA_OPTIONS, not a JVM flag of the image: a flag naming a missing archive would switch CDS off altogether
mvn -Djib.extraDirectories.paths="$extra" -Djib.container.environment="$environment -XX:SharedArchiveFile=/app/cds/crossgate.jsa"
podman load -i "$root/gateway/target/jib-image.tar" >&2
echo "$name"

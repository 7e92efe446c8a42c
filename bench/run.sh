#!/usr/bin/env bash
# Crossgate against nginx, HAProxy, ghostunnel, socat and a direct connection. See bench/README.md.
#
#   bench/run.sh            full run, about 30 minutes on 2 cores
#   bench/run.sh --quick    every scenario and peer against Crossgate as shipped, fewer and shorter rounds, under 5 minutes
#   bench/run.sh --smoke    a second or so per case: proves the harness works (CI runs this)
#   options: --out DIR (default bench/results), --only s1,s3 (scenarios to run)
#
# Everything listens on 127.0.0.1. The proxy under test is pinned to one core, the load generator
# and the backends to the other.
set -euo pipefail

MODE=full
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/results
ONLY=s1,s2,s3,s4,s5,s6
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --smoke) MODE=smoke ;;
    --full) MODE=full ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) echo "unknown option $1; usage: bench/run.sh [--quick|--smoke] [--out DIR] [--only s1,s2,...]" >&2; exit 2 ;;
  esac
  shift
done

case $MODE in
  # the warm-up run before the rounds lets the JVM compile its hot paths; every proxy gets the same, and in scenario 1
  # Crossgate more where it needs it (JVM_WARMUP_MAX, below). It reaches its steady state on one core after about 30 s
  # of load (s6 shows the ramp).
  full)  ROUNDS=3; SECONDS_PER_RUN=8; WARMUP=10; BULK_MB=512; IDLE=10000; AT_REST_ROUNDS=3; ROTATE_FOR=60; ROTATE_WARMUP=30 ;;
  quick) ROUNDS=2; SECONDS_PER_RUN=2; WARMUP=1;  BULK_MB=128; IDLE=10000; AT_REST_ROUNDS=1; ROTATE_FOR=15; ROTATE_WARMUP=5 ;;
  smoke) ROUNDS=1; SECONDS_PER_RUN=1; WARMUP=1;  BULK_MB=8;   IDLE=200;   AT_REST_ROUNDS=1; ROTATE_FOR=3;  ROTATE_WARMUP=1 ;;
esac
# Scenario 2 starts fresh proxies for each of its four cases. A fresh JVM needs about 30 s of handshakes before its
# rate settles (it rose for three rounds after a 10 s warm-up: 570, 759, 779 /s for RSA); nginx, HAProxy and
# ghostunnel run at their rate from the first second. Each gets the warm-up it needs, and shorter runs keep the
# whole benchmark within 30 minutes: thousands of handshakes a run still (5 s since two cases have two more proxies).
# Scenario 1 runs every case's warm-up before the first round; after the same 10 s as its peers, Crossgate's
# HTTP/2 rounds still went 38.8, 33.4, 26.6 µs of CPU a request (12-03 morning) while C2 was compiling the HTTP/2
# path. So Crossgate's warm-up of a case goes on in JVM_WARMUP_STEP runs until its JIT compiler threads were busy for
# under 1 % of the last one, JVM_WARMUP_MAX seconds at most, and how long that took is a figure of the case. The same
# for scenario 3, whose Crossgate rounds still rose after its 10 s (109k, 128k, 148k messages/s, 12-03 late morning).
case $MODE in
  full)  HANDSHAKE_SECONDS=5; JVM_WARMUP=30; NATIVE_WARMUP=3; JVM_WARMUP_STEP=5; JVM_WARMUP_MAX=40 ;;
  # --quick and --smoke: one more second at most, which still runs the check once
  *)     HANDSHAKE_SECONDS=$SECONDS_PER_RUN; JVM_WARMUP=$WARMUP; NATIVE_WARMUP=$WARMUP; JVM_WARMUP_STEP=1; JVM_WARMUP_MAX=$((WARMUP + 1)) ;;
esac
# ghostunnel dials the backend for every client connection: two descriptors per idle connection
# must stay under this machine's open-file limit.
IDLE_GHOSTUNNEL=$(( IDLE < 9500 ? IDLE : 9500 ))
CONCURRENCY=32

# Crossgate refuses CROSSGATE_* variables it does not know; none from the caller's shell may reach it
for variable in $(compgen -e | grep '^CROSSGATE_' || true); do unset "$variable"; done

CACHE=${BENCH_CACHE:-$HOME/.cache/crossgate-bench}
BIN=$CACHE/bin
JAR=${BENCH_CROSSGATE_JAR:-$ROOT/gateway/target/crossgate.jar}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xms64m -Xmx512m -XX:MaxDirectMemorySize=512m -XX:TrimNativeHeapInterval=1000}
LATE_C2="-XX:Tier4InvocationThreshold=40000 -XX:Tier4MinInvocationThreshold=20000 -XX:Tier4CompileThreshold=40000 -XX:Tier4BackEdgeThreshold=400000"
RAW=$OUT/raw
RECORDS=$RAW/records.jsonl
WORK=$(mktemp -d /tmp/crossgate-bench.XXXXXX)
declare -A PID_OF=()  # NAME given to start -> its process
BACKEND_PID=

if [ "$(nproc)" -ge 2 ]; then PROXY_CPU=0; LOAD_CPU=1; else PROXY_CPU=0; LOAD_CPU=0; fi
# the load core's busy time per request is read only when the load has a core of its own
LOAD_CORE=(); [ "$LOAD_CPU" != "$PROXY_CPU" ] && LOAD_CORE=(--load-core "$LOAD_CPU")
on_proxy_core() { taskset -c "$PROXY_CPU" "$@"; }
on_load_core() { taskset -c "$LOAD_CPU" "$@"; }
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
# Crossgate's variants (another TLS library, event loops without polling, start-up flags beside the image's) and HAProxy's
# polling run in the full run, and in --smoke so that they cannot rot; --quick leaves them out to stay within 5 minutes
variants() { [ "$MODE" != quick ]; }

cleanup() {
  stop_all
  [ -n "$BACKEND_PID" ] && { kill "$BACKEND_PID" 2>/dev/null; wait "$BACKEND_PID" 2>/dev/null; }
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- set-up -------------------------------------------------------------------------------------

install_packages() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v h2load >/dev/null || missing+=(nghttp2-client)
  command -v socat >/dev/null || missing+=(socat)
  command -v curl >/dev/null || missing+=(curl)
  # what tools/aws-lc/build.sh compiles with (the crossgate+aws-lc column of s2)
  if variants; then missing+=($(bash "$ROOT/tools/aws-lc/build.sh" --missing-packages)); fi
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them (Debian: apt-get install ${missing[*]}) or run as root" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
  # the Debian package starts a system nginx on port 80; the benchmark runs its own
  { systemctl stop nginx || service nginx stop || nginx -s stop; } >/dev/null 2>&1 || true
}

build_tools() {
  mkdir -p "$BIN"
  command -v go >/dev/null || { echo "Go is needed to build the load generator (bench/cgbench)" >&2; exit 1; }
  (cd "$HERE/cgbench" && go build -o "$BIN/cgbench" .)
  if [ ! -x "$BIN/ghostunnel" ]; then
    # v1.8.4 is the newest ghostunnel whose module and dependencies the Go proxy serves here; its
    # build without cgo does not compile, so it is built with cgo (for PKCS#11, which is unused).
    log "building ghostunnel v1.8.4"
    local dir
    dir=$(cd /tmp && go mod download -json github.com/ghostunnel/ghostunnel@v1.8.4 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    (cd "$dir" && CGO_ENABLED=1 GOFLAGS=-mod=mod go build -o "$BIN/ghostunnel" .)
  fi
  if [ ! -f "$JAR" ]; then
    log "building crossgate.jar"
    (cd "$ROOT" && ./mvnw -q -B -ntp -DskipTests package)
  fi
  if wants s2 && variants; then
    log "netty-tcnative on AWS-LC for crossgate.tls.library=aws-lc (built once, about 1 minute)"
    AWS_LC_LIB=$(bash "$ROOT/tools/aws-lc/build.sh")
  fi
}

make_certificates() {
  for type in ec-p256 rsa-2048; do
    java -jar "$JAR" certs generate --out "$WORK/$type" --key-type "$type" --hosts localhost,127.0.0.1 >/dev/null
    cat "$WORK/$type/server.crt" "$WORK/$type/server.pem" >"$WORK/$type/server-combined.pem"
    cat "$WORK/$type/client.crt" "$WORK/$type/client.pem" >"$WORK/$type/client-combined.pem"
  done
  EC=$WORK/ec-p256
  RSA=$WORK/rsa-2048
}

# --- processes ----------------------------------------------------------------------------------

start() { # start NAME CORE COMMAND...: runs in the background, output in raw/logs/NAME.log
  local name=$1 core=$2; shift 2
  taskset -c "$core" "$@" >"$RAW/logs/$name.log" 2>&1 &
  PID_OF[$name]=$!
}

polling() { # polling PROXY CONT|STOP: resumes or stops s2's PROXY of the case $name if it polls without sleeping
  if [[ $1 == *busy-polling ]]; then kill -"$2" "${PID_OF[s2-$1-$name]}"; fi
}

stop_all() {
  for pid in "${PID_OF[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${PID_OF[@]}"; do wait "$pid" 2>/dev/null || true; done
  PID_OF=()
}

wait_port() { # wait_port PORT: until something accepts on 127.0.0.1:PORT, 60 s at most
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on 127.0.0.1:$1 after 60 s; see $RAW/logs" >&2
  exit 1
}

wait_ready() { # wait_ready ADMIN_PORT: until Crossgate's readiness is 200
  for _ in $(seq 600); do
    curl -fs "http://127.0.0.1:$1/health/readiness" >/dev/null && return 0
    sleep 0.1
  done
  echo "Crossgate on admin port $1 not ready after 60 s; see $RAW/logs" >&2
  exit 1
}

# --- the backend: one nginx on the load core ------------------------------------------------------

BACKEND_MTLS=19443   # TLS, requires the proxy's client certificate
BACKEND_TLS=19444    # TLS without client certificate, HTTP/2 too: the direct baseline
BACKEND_PLAIN=19080  # plain HTTP, behind the handshake benchmark and ghostunnel

start_backend() {
  mkdir -p "$WORK/www" "$WORK/backend"
  head -c 100 /dev/zero | tr '\0' 'x' >"$WORK/www/100b"
  head -c 16384 /dev/zero | tr '\0' 'x' >"$WORK/www/16k"
  cat >"$WORK/backend/nginx.conf" <<EOF
daemon off;
master_process off;
worker_rlimit_nofile 20000;
pid $WORK/backend/nginx.pid;
error_log $RAW/logs/backend-error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $WORK/backend; proxy_temp_path $WORK/backend; fastcgi_temp_path $WORK/backend;
  uwsgi_temp_path $WORK/backend; scgi_temp_path $WORK/backend;
  keepalive_requests 10000000; keepalive_timeout 600s;
  root $WORK/www;
  default_type application/octet-stream;
  ssl_certificate $EC/server.crt; ssl_certificate_key $EC/server.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  server { listen 127.0.0.1:$BACKEND_MTLS ssl; ssl_verify_client on; ssl_client_certificate $EC/ca.crt; }
  server { listen 127.0.0.1:$BACKEND_TLS ssl http2; }
  server { listen 127.0.0.1:$BACKEND_PLAIN; }
}
EOF
  taskset -c "$LOAD_CPU" nginx -e "$RAW/logs/backend-error.log" -c "$WORK/backend/nginx.conf" >"$RAW/logs/backend.log" 2>&1 &
  BACKEND_PID=$!
  wait_port $BACKEND_MTLS
}

# --- the proxies, each configured for one job -----------------------------------------------------

NGINX_PORT=18001; HAPROXY_PORT=18002; CROSSGATE_PORT=18003; GHOSTUNNEL_PORT=18004; ADMIN_PORT=18903
CROSSGATE_AWS_LC_PORT=18005; ADMIN_AWS_LC_PORT=18905  # a second Crossgate, on AWS-LC (s2)
# a Crossgate whose event loops never poll (crossgate.io.busy-poll=off, its default until 12-04) and a HAProxy whose
# poller never sleeps (s1's HTTP/1.1 100 B case, two of s2's cases)
CROSSGATE_POLL_OFF_PORT=18010; ADMIN_POLL_OFF_PORT=18910; HAPROXY_BUSY_POLL_PORT=18011
PASSTHROUGH_PORT=18006; TERMINATE_PORT=18007; SOCAT_RELAY_PORT=18008; SOCAT_TLS_PORT=18009
GRPC_BACKEND=19500; SINK_TLS=19600; SINK_PLAIN=19601

# nginx_conf DIR CERTDIR CLIENT_AUTH(on|off) UPSTREAM(mtls|plain)
nginx_conf() {
  local dir=$1 certs=$2 client_auth=$3 upstream=$4 verify="" pass identity='""'
  mkdir -p "$dir"
  if [ "$client_auth" = on ]; then
    verify="ssl_verify_client on; ssl_client_certificate $certs/ca.crt;"
    identity='"Hash=$ssl_client_fingerprint;Subject=\"$ssl_client_s_dn\""'
  fi
  # Crossgate's header work (ForwardedHeaders): the client's address appended to X-Forwarded-For, X-Forwarded-Proto, and
  # X-Forwarded-Client-Cert only from a verified certificate (an empty value: nginx sends none, the client's is dropped)
  local forwarded="proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Client-Cert $identity;"
  if [ "$upstream" = mtls ]; then
    pass="proxy_pass https://backend; proxy_ssl_certificate $EC/client.crt; proxy_ssl_certificate_key $EC/client.pem;
      proxy_ssl_trusted_certificate $EC/ca.crt; proxy_ssl_verify on; proxy_ssl_name localhost; proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv1.3; proxy_ssl_session_reuse on;"
    upstream="upstream backend { server 127.0.0.1:$BACKEND_MTLS; keepalive 64; }"
  else
    pass="proxy_pass http://backend;"
    upstream="upstream backend { server 127.0.0.1:$BACKEND_PLAIN; keepalive 64; }"
  fi
  cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
worker_rlimit_nofile 20000;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path $dir; proxy_temp_path $dir; fastcgi_temp_path $dir; uwsgi_temp_path $dir; scgi_temp_path $dir;
  keepalive_requests 10000000; keepalive_timeout 600s; client_header_timeout 600s;
  $upstream
  server {
    listen 127.0.0.1:$NGINX_PORT ssl http2;
    ssl_certificate $certs/server.crt; ssl_certificate_key $certs/server.pem;
    ssl_protocols TLSv1.3; ssl_session_tickets off; ssl_session_cache off;
    $verify
    location / { $pass proxy_http_version 1.1; proxy_set_header Connection ""; $forwarded }
  }
}
EOF
}

# haproxy_conf DIR CERTDIR CLIENT_AUTH(on|off) UPSTREAM(mtls|plain) [busy-polling]: the last on its own port, its poller
# never sleeping (HAProxy's busy-polling, "for virtual machines")
haproxy_conf() {
  local dir=$1 certs=$2 client_auth=$3 upstream=$4 verify="" server identity="del-header X-Forwarded-Client-Cert"
  local port=$HAPROXY_PORT polling=""
  [ "${5:-}" = busy-polling ] && port=$HAPROXY_BUSY_POLL_PORT polling="busy-polling"
  mkdir -p "$dir"
  if [ "$client_auth" = on ]; then
    verify="verify required ca-file $certs/ca.crt"
    identity='set-header X-Forwarded-Client-Cert "Hash=%[ssl_c_der,sha2(256),hex,lower];Subject=\"%[ssl_c_s_dn(,0,rfc2253)]\""'
  fi
  if [ "$upstream" = mtls ]; then
    server="server b 127.0.0.1:$BACKEND_MTLS ssl verify required ca-file $EC/ca.crt crt $EC/client-combined.pem sni str(localhost) ssl-min-ver TLSv1.3"
  else
    server="server b 127.0.0.1:$BACKEND_PLAIN"
  fi
  cat >"$dir/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 9000
  $polling
  tune.ssl.default-dh-param 2048
defaults
  mode http
  timeout connect 5s
  timeout client 600s
  timeout server 600s
  timeout http-keep-alive 600s
frontend in
  bind 127.0.0.1:$port ssl crt $certs/server-combined.pem alpn h2,http/1.1 ssl-min-ver TLSv1.3 no-tls-tickets $verify
  option forwardfor
  http-request set-header X-Forwarded-Proto https
  http-request $identity
  default_backend out
backend out
  http-reuse always
  $server
EOF
}

# crossgate_env CERTDIR CLIENT_AUTH(none|require) UPSTREAM(mtls|plain) [extra VAR=value...]: the
# environment of a Crossgate with one HTTP listener, printed one VAR=value a line
crossgate_env() {
  local certs=$1 client_auth=$2 upstream=$3; shift 3
  crossgate_base_env "$certs"
  echo CROSSGATE_LISTENERS_EDGE_HOST=127.0.0.1 CROSSGATE_LISTENERS_EDGE_PORT=$CROSSGATE_PORT
  echo CROSSGATE_LISTENERS_EDGE_CONNECTOR=backend CROSSGATE_LISTENERS_EDGE_TLS_CERTS=edge
  echo CROSSGATE_LISTENERS_EDGE_TLS_CLIENT_AUTH=$client_auth
  if [ "$upstream" = mtls ]; then
    echo CROSSGATE_CERTS_UPSTREAM_SOURCE=file CROSSGATE_CERTS_UPSTREAM_CERT_PATH=$EC/client.crt
    echo CROSSGATE_CERTS_UPSTREAM_KEY_PATH=$EC/client.pem CROSSGATE_CERTS_UPSTREAM_CA_PATH=$EC/ca.crt
    echo CROSSGATE_CONNECTORS_BACKEND_ADDRESS=127.0.0.1:$BACKEND_MTLS CROSSGATE_CONNECTORS_BACKEND_TLS_TRUST=upstream
    echo CROSSGATE_CONNECTORS_BACKEND_TLS_CERTS=upstream CROSSGATE_CONNECTORS_BACKEND_TLS_SERVER_NAME=localhost
  else
    echo CROSSGATE_CONNECTORS_BACKEND_ADDRESS=127.0.0.1:$BACKEND_PLAIN CROSSGATE_CONNECTORS_BACKEND_TLS_MODE=off
  fi
  for extra in "$@"; do echo "$extra"; done
}

crossgate_base_env() { # crossgate_base_env CERTDIR: the admin port and the server identity "edge"
  echo CROSSGATE_ADMIN_HOST=127.0.0.1 CROSSGATE_ADMIN_PORT=$ADMIN_PORT
  # no session tickets, as on every peer (ssl_session_tickets off, no-tls-tickets): each handshake is a full one and
  # no proxy spends time writing tickets the client throws away
  echo CROSSGATE_TLS_SESSION_TICKETS=false
  echo CROSSGATE_CERTS_EDGE_SOURCE=file CROSSGATE_CERTS_EDGE_CERT_PATH=$1/server.crt
  echo CROSSGATE_CERTS_EDGE_KEY_PATH=$1/server.pem CROSSGATE_CERTS_EDGE_CA_PATH=$1/ca.crt
}

crossgate_command() { # the command line that runs Crossgate with the environment on stdin
  # shellcheck disable=SC2046
  echo env $(cat) java $JAVA_OPTS -jar "$JAR"
}

# the same on AWS-LC, moved to its own ports: netty-tcnative linked against it by tools/aws-lc/build.sh, on
# java.library.path
crossgate_aws_lc_command() {
  { cat; echo CROSSGATE_LISTENERS_EDGE_PORT=$CROSSGATE_AWS_LC_PORT CROSSGATE_ADMIN_PORT=$ADMIN_AWS_LC_PORT \
    CROSSGATE_TLS_LIBRARY=aws-lc; } | JAVA_OPTS="$JAVA_OPTS -Djava.library.path=$AWS_LC_LIB" crossgate_command
}

# the same with its event loops sleeping as soon as they run out of work, on its own ports: what the default polling
# (auto: only while a loop is busy, for a window that follows its gaps up to 200 us) gains
crossgate_poll_off_command() {
  { cat; echo CROSSGATE_LISTENERS_EDGE_PORT=$CROSSGATE_POLL_OFF_PORT CROSSGATE_ADMIN_PORT=$ADMIN_POLL_OFF_PORT \
    CROSSGATE_IO_BUSY_POLL=off; } | crossgate_command
}

ghostunnel_command() { # ghostunnel_command CERTDIR CLIENT_AUTH(on|off)
  local auth=(--disable-authentication)
  [ "$2" = on ] && auth=(--cacert "$1/ca.crt" --allow-all)
  echo "$BIN/ghostunnel" server --listen "127.0.0.1:$GHOSTUNNEL_PORT" --target "127.0.0.1:$BACKEND_PLAIN" \
    --cert "$1/server.crt" --key "$1/server.pem" "${auth[@]}" --quiet=conns --quiet=conn-errs --quiet=handshake-errs
}

# --- scenarios ----------------------------------------------------------------------------------

record() { echo --records "$RECORDS" --scenario "$1" --case "$2" --proxy "$3" --round "$4"; }

# http_load SCENARIO CASE PROXY ROUND PORT PROTOCOL(h1|h2) PATH SECONDS: one measured run; the process started
# as SCENARIO-PROXY, if any, has its processor time read before and after
http_load() {
  local scenario=$1 case=$2 proxy=$3 round=$4 port=$5 protocol=$6 path=$7 seconds=$8
  local out="$RAW/$scenario-$case-$proxy-r$round.txt" pid=${PID_OF[$scenario-$proxy]:-0} cpu=()
  [ "$round" -gt 0 ] && cpu=(--proxy-pid "$pid" "${LOAD_CORE[@]}" --since "$("$BIN/cgbench" cpu --pid "$pid" "${LOAD_CORE[@]}")")
  if [ "$protocol" = h1 ]; then
    on_load_core wrk -t1 -c$CONCURRENCY -d"${seconds}s" --latency "https://127.0.0.1:$port$path" >"$out" 2>&1
    [ "$round" -gt 0 ] && "$BIN/cgbench" parse-wrk --in "$out" "${cpu[@]}" $(record "$@")
  else
    on_load_core h2load -t1 -c8 -m$((CONCURRENCY / 8)) -D "$seconds" --log-file="$WORK/h2load.log" \
      "https://127.0.0.1:$port$path" >"$out" 2>&1
    [ "$round" -gt 0 ] && "$BIN/cgbench" parse-h2load --in "$out" --log "$WORK/h2load.log" "${cpu[@]}" $(record "$@")
  fi
  rm -f "$WORK/h2load.log"
  [ "$round" -gt 0 ] || rm -f "$out"
}

# http_warm_up SCENARIO CASE PROXY PORT PROTOCOL PATH: a case's warm-up, WARMUP seconds, then for a JVM jit_warm_up
http_warm_up() {
  local scenario=$1 case=$2 proxy=$3 port=$4 protocol=$5 path=$6
  http_load "$scenario" "$case" "$proxy" 0 "$port" "$protocol" "$path" "$WARMUP"
  [[ $proxy == crossgate* ]] || return 0
  jit_warm_up "$scenario" "$case" "$proxy" http_load "$scenario" "$case" "$proxy" 0 "$port" "$protocol" "$path"
}

# jit_warm_up SCENARIO CASE PROXY LOAD...: after a case's WARMUP seconds, more runs of LOAD (given their seconds as last
# argument) of JVM_WARMUP_STEP until the proxy's compiler threads go quiet (see JVM_WARMUP_MAX), recorded as jvm_warm_up
# with jit_cpu_so_far
jit_warm_up() {
  local scenario=$1 case=$2 proxy=$3 pid=${PID_OF[$1-$3]:-} spent=$WARMUP before after
  shift 3
  [ -n "$pid" ] || return 0
  while [ "$spent" -lt "$JVM_WARMUP_MAX" ]; do
    before=$("$BIN/cgbench" cpu --jit --pid "$pid" | cut -d' ' -f1)
    "$@" "$JVM_WARMUP_STEP"
    after=$("$BIN/cgbench" cpu --jit --pid "$pid" | cut -d' ' -f1)
    spent=$((spent + JVM_WARMUP_STEP))
    awk -v a="$before" -v b="$after" -v s="$JVM_WARMUP_STEP" 'BEGIN { exit !(b - a < s / 100) }' && break
  done
  "$BIN/cgbench" figure --metric jvm_warm_up --unit s --value "$spent" $(record "$scenario" "$case" "$proxy" 1)
  # what the JIT had spent by then, since the JVM started: the reading the loop above relies on, shown
  "$BIN/cgbench" figure --metric jit_cpu_so_far --unit s --value "$("$BIN/cgbench" cpu --jit --pid "$pid" | cut -d' ' -f1)" \
    $(record "$scenario" "$case" "$proxy" 1)
}

scenario_keepalive() {
  log "scenario 1: HTTPS keep-alive, terminate + re-encrypt"
  nginx_conf "$WORK/s1-nginx" "$EC" off mtls
  haproxy_conf "$WORK/s1-haproxy" "$EC" off mtls
  start s1-nginx "$PROXY_CPU" nginx -e "$WORK/s1-nginx/error.log" -c "$WORK/s1-nginx/nginx.conf"
  start s1-haproxy "$PROXY_CPU" haproxy -f "$WORK/s1-haproxy/haproxy.cfg"
  start s1-crossgate "$PROXY_CPU" $(crossgate_env "$EC" none mtls | crossgate_command)
  wait_port $NGINX_PORT; wait_port $HAPROXY_PORT; wait_ready $ADMIN_PORT
  declare -A port=([direct]=$BACKEND_TLS [nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [crossgate]=$CROSSGATE_PORT
                   [crossgate+poll-off]=$CROSSGATE_POLL_OFF_PORT)
  # HTTP/1.1 100 B, where Crossgate's rate is nearest HAProxy's, also without polling, as in s2. HAProxy's own option is
  # left out there: its thread sleeps only once in 60-100 requests, and in s2's ECDSA case, where its core is as busy,
  # the option changed its rate by 0-3 %
  local poll_off=""
  if variants; then
    poll_off=,crossgate+poll-off
    start s1-crossgate+poll-off "$PROXY_CPU" $(crossgate_env "$EC" none mtls | crossgate_poll_off_command)
    wait_ready $ADMIN_POLL_OFF_PORT
  fi
  # CASE PROTOCOL PATH PROXIES
  local cases=("h1-100B h1 /100b direct,nginx,haproxy,crossgate$poll_off"
               "h1-16KiB h1 /16k direct,nginx,haproxy,crossgate" "h2-100B h2 /100b direct,nginx,haproxy,crossgate"
               "h2-16KiB h2 /16k direct,nginx,haproxy,crossgate")
  for c in "${cases[@]}"; do
    set -- $c
    for proxy in ${4//,/ }; do http_warm_up s1 "$1" $proxy "${port[$proxy]}" "$2" "$3"; done
  done
  for round in $(seq "$ROUNDS"); do
    for c in "${cases[@]}"; do
      set -- $c
      for proxy in ${4//,/ }; do
        http_load s1 "$1" $proxy "$round" "${port[$proxy]}" "$2" "$3" "$SECONDS_PER_RUN"
      done
    done
  done
  curl -s "http://127.0.0.1:$ADMIN_PORT/stats" >"$RAW/s1-crossgate-stats.txt"
  stop_all
}

scenario_handshakes() {
  log "scenario 2: full handshakes"
  declare -A port=([nginx]=$NGINX_PORT [haproxy]=$HAPROXY_PORT [ghostunnel]=$GHOSTUNNEL_PORT [crossgate]=$CROSSGATE_PORT
                   [crossgate+aws-lc]=$CROSSGATE_AWS_LC_PORT [crossgate+poll-off]=$CROSSGATE_POLL_OFF_PORT
                   [haproxy+busy-polling]=$HAPROXY_BUSY_POLL_PORT)
  for c in "ecdsa-p256 $EC off" "ecdsa-p256+client-cert $EC on" "rsa-2048 $RSA off" "rsa-2048+client-cert $RSA on"; do
    set -- $c
    local name=$1 certs=$2 auth=$3 client=() proxies=(nginx haproxy ghostunnel crossgate)
    [ "$auth" = on ] && client=(--cert "$certs/client.crt" --key "$certs/client.pem")
    nginx_conf "$WORK/s2-nginx-$name" "$certs" "$auth" plain
    haproxy_conf "$WORK/s2-haproxy-$name" "$certs" "$auth" plain
    start "s2-nginx-$name" "$PROXY_CPU" nginx -e "$WORK/s2-nginx-$name/error.log" -c "$WORK/s2-nginx-$name/nginx.conf"
    start "s2-haproxy-$name" "$PROXY_CPU" haproxy -f "$WORK/s2-haproxy-$name/haproxy.cfg"
    start "s2-ghostunnel-$name" "$PROXY_CPU" $(ghostunnel_command "$certs" "$auth")
    local cg_auth=none; [ "$auth" = on ] && cg_auth=require
    start "s2-crossgate-$name" "$PROXY_CPU" $(crossgate_env "$certs" $cg_auth plain | crossgate_command)
    wait_port $NGINX_PORT; wait_port $HAPROXY_PORT; wait_port $GHOSTUNNEL_PORT; wait_ready $ADMIN_PORT
    # AWS-LC ran ECDSA with a client certificate at BoringSSL's rate in every run (2.13 and 2.11 of nginx's in the run at
    # a434828): left out of that case, for the time the pollers below take
    if variants && [ "$name" != ecdsa-p256+client-cert ]; then
      proxies+=(crossgate+aws-lc)
      start "s2-crossgate+aws-lc-$name" "$PROXY_CPU" $(crossgate_env "$certs" $cg_auth plain | crossgate_aws_lc_command)
      wait_ready $ADMIN_AWS_LC_PORT
    fi
    # the cases the load core limits, where how often a proxy sleeps decides its rate: HAProxy polling without sleep and
    # Crossgate sleeping without polls beside the rest
    if variants && { [ "$name" = ecdsa-p256 ] || [ "$name" = rsa-2048+client-cert ]; }; then
      proxies+=(haproxy+busy-polling crossgate+poll-off)
      haproxy_conf "$WORK/s2-haproxy+busy-polling-$name" "$certs" "$auth" plain busy-polling
      start "s2-haproxy+busy-polling-$name" "$PROXY_CPU" haproxy -f "$WORK/s2-haproxy+busy-polling-$name/haproxy.cfg"
      start "s2-crossgate+poll-off-$name" "$PROXY_CPU" $(crossgate_env "$certs" $cg_auth plain | crossgate_poll_off_command)
      wait_port $HAPROXY_BUSY_POLL_PORT; wait_ready $ADMIN_POLL_OFF_PORT
      # HAProxy's busy-polling spins even when idle: it is stopped (SIGSTOP) except while its own runs go, so it takes
      # no time from the proxies measured beside it on their core
      polling haproxy+busy-polling STOP
    fi
    for proxy in "${proxies[@]}"; do
      local warmup=$NATIVE_WARMUP; [[ $proxy == crossgate* ]] && warmup=$JVM_WARMUP
      polling "$proxy" CONT
      on_load_core "$BIN/cgbench" handshakes --addr "127.0.0.1:${port[$proxy]}" --verify=false "${client[@]}" \
        -d "${warmup}s" >/dev/null
      polling "$proxy" STOP
    done
    for round in $(seq "$ROUNDS"); do
      for proxy in "${proxies[@]}"; do
        polling "$proxy" CONT
        on_load_core "$BIN/cgbench" handshakes --addr "127.0.0.1:${port[$proxy]}" --verify=false "${client[@]}" \
          -d "${HANDSHAKE_SECONDS}s" --proxy-pid "${PID_OF[s2-$proxy-$name]}" "${LOAD_CORE[@]}" $(record s2 "$name" $proxy "$round") \
          >>"$RAW/s2-handshakes.txt"
        polling "$proxy" STOP
      done
    done
    stop_all
  done
}

# grpc_load PROXY ROUND PORT SECONDS: scenario 3's client streams; round 0 is a warm-up, not recorded
grpc_load() {
  local proxy=$1 round=$2 port=$3 seconds=$4 out=/dev/null recorded=()
  [ "$round" -gt 0 ] && out=$RAW/s3-grpc.txt recorded=($(record s3 64-streams-1KiB "$proxy" "$round"))
  on_load_core "$BIN/cgbench" grpc-stream --addr "127.0.0.1:$port" --ca "$EC/ca.crt" --cert "$EC/client.crt" \
    --key "$EC/client.pem" --connections 8 --streams 8 --size 1024 -d "${seconds}s" "${recorded[@]}" >>"$out"
}

scenario_grpc() {
  log "scenario 3: gRPC client streaming"
  start s3-grpc-backend "$LOAD_CPU" "$BIN/cgbench" grpc-server --addr "127.0.0.1:$GRPC_BACKEND" \
    --cert "$EC/server.crt" --key "$EC/server.pem" --ca "$EC/ca.crt"
  start s3-crossgate "$PROXY_CPU" $(crossgate_env "$EC" none mtls \
    CROSSGATE_LISTENERS_EDGE_PROTOCOL=grpc CROSSGATE_CONNECTORS_BACKEND_ADDRESS=127.0.0.1:$GRPC_BACKEND | crossgate_command)
  wait_port $GRPC_BACKEND; wait_ready $ADMIN_PORT
  declare -A port=([direct]=$GRPC_BACKEND [crossgate]=$CROSSGATE_PORT)
  for proxy in direct crossgate; do grpc_load $proxy 0 "${port[$proxy]}" "$WARMUP"; done
  jit_warm_up s3 64-streams-1KiB crossgate grpc_load crossgate 0 "${port[crossgate]}"
  for round in $(seq "$ROUNDS"); do
    for proxy in direct crossgate; do grpc_load $proxy "$round" "${port[$proxy]}" "$SECONDS_PER_RUN"; done
  done
  curl -s "http://127.0.0.1:$ADMIN_PORT/stats" >"$RAW/s3-crossgate-stats.txt"
  stop_all
}

scenario_tcp() {
  log "scenario 4: TCP bulk transfer"
  start s4-sink-tls "$LOAD_CPU" "$BIN/cgbench" bulk-server --addr "127.0.0.1:$SINK_TLS" --cert "$EC/server.crt" --key "$EC/server.pem"
  start s4-sink-plain "$LOAD_CPU" "$BIN/cgbench" bulk-server --addr "127.0.0.1:$SINK_PLAIN"
  start s4-socat-relay "$PROXY_CPU" socat "TCP-LISTEN:$SOCAT_RELAY_PORT,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$SINK_TLS"
  start s4-socat-tls "$PROXY_CPU" socat \
    "OPENSSL-LISTEN:$SOCAT_TLS_PORT,bind=127.0.0.1,reuseaddr,fork,cert=$EC/server.crt,key=$EC/server.pem,verify=0" \
    "TCP:127.0.0.1:$SINK_PLAIN"
  start s4-crossgate "$PROXY_CPU" $({
    crossgate_base_env "$EC"
    echo CROSSGATE_LISTENERS_PASS_HOST=127.0.0.1 CROSSGATE_LISTENERS_PASS_PORT=$PASSTHROUGH_PORT
    echo CROSSGATE_LISTENERS_PASS_PROTOCOL=tcp CROSSGATE_LISTENERS_PASS_TLS_MODE=passthrough
    echo CROSSGATE_LISTENERS_PASS_SNI_ROUTES=localhost=sinktls
    echo CROSSGATE_LISTENERS_TERM_HOST=127.0.0.1 CROSSGATE_LISTENERS_TERM_PORT=$TERMINATE_PORT
    echo CROSSGATE_LISTENERS_TERM_PROTOCOL=tcp CROSSGATE_LISTENERS_TERM_TLS_CERTS=edge CROSSGATE_LISTENERS_TERM_CONNECTOR=sinkplain
    echo CROSSGATE_CONNECTORS_SINKTLS_ADDRESS=127.0.0.1:$SINK_TLS CROSSGATE_CONNECTORS_SINKTLS_TLS_MODE=off
    echo CROSSGATE_CONNECTORS_SINKPLAIN_ADDRESS=127.0.0.1:$SINK_PLAIN CROSSGATE_CONNECTORS_SINKPLAIN_TLS_MODE=off
  } | crossgate_command)
  wait_port $SINK_TLS; wait_port $SINK_PLAIN; wait_port $SOCAT_RELAY_PORT; wait_port $SOCAT_TLS_PORT; wait_ready $ADMIN_PORT
  declare -A pass=([direct]=$SINK_TLS [socat]=$SOCAT_RELAY_PORT [crossgate]=$PASSTHROUGH_PORT)
  declare -A term=([direct]=$SINK_TLS [socat]=$SOCAT_TLS_PORT [crossgate]=$TERMINATE_PORT)
  local client=(--ca "$EC/ca.crt" --connections 2)
  for proxy in direct socat crossgate; do
    on_load_core "$BIN/cgbench" bulk --addr "127.0.0.1:${pass[$proxy]}" "${client[@]}" --mb 16 >/dev/null
    on_load_core "$BIN/cgbench" bulk --addr "127.0.0.1:${term[$proxy]}" "${client[@]}" --mb 16 >/dev/null
  done
  for round in $(seq "$ROUNDS"); do
    for proxy in direct socat crossgate; do
      on_load_core "$BIN/cgbench" bulk --addr "127.0.0.1:${pass[$proxy]}" "${client[@]}" --mb "$BULK_MB" \
        $(record s4 passthrough-2x${BULK_MB}MB $proxy "$round") >>"$RAW/s4-bulk.txt"
      on_load_core "$BIN/cgbench" bulk --addr "127.0.0.1:${term[$proxy]}" "${client[@]}" --mb "$BULK_MB" \
        $(record s4 terminate-2x${BULK_MB}MB $proxy "$round") >>"$RAW/s4-bulk.txt"
    done
  done
  curl -s "http://127.0.0.1:$ADMIN_PORT/stats" >"$RAW/s4-crossgate-stats.txt"
  stop_all
}

scenario_at_rest() {
  log "scenario 5: cost at start and at rest"
  nginx_conf "$WORK/s5-nginx" "$EC" off mtls
  local client=(--ca "$EC/ca.crt")
  # AppCDS: a training run records the classes the gateway loads; later starts map them instead of parsing the jar
  local archive=$WORK/crossgate.jsa
  on_load_core "$BIN/cgbench" at-rest --addr "127.0.0.1:$CROSSGATE_PORT" "${client[@]}" --settle 1s \
    --log "$RAW/logs/s5-appcds-training.log" -- taskset -c "$PROXY_CPU" \
    $(crossgate_env "$EC" none mtls | JAVA_OPTS="$JAVA_OPTS -XX:ArchiveClassesAtExit=$archive" crossgate_command) >/dev/null
  # late-c2: C2 waits for methods that are really hot, so the one core is not spent compiling during start (the image's flags)
  declare -A variant=([crossgate]="" [crossgate+appcds]="-XX:SharedArchiveFile=$archive"
    [crossgate+appcds+late-c2]="-XX:SharedArchiveFile=$archive $LATE_C2"
    [crossgate+appcds+c1]="-XX:SharedArchiveFile=$archive -XX:TieredStopAtLevel=1")
  local crossgates=(crossgate crossgate+appcds+late-c2) # java -jar, and the image's flags
  if variants; then crossgates=(crossgate crossgate+appcds crossgate+appcds+late-c2 crossgate+appcds+c1); fi
  for round in $(seq "$AT_REST_ROUNDS"); do
    for name in "${crossgates[@]}"; do
      on_load_core "$BIN/cgbench" at-rest --addr "127.0.0.1:$CROSSGATE_PORT" "${client[@]}" --idle-connections "$IDLE" \
        --log "$RAW/logs/s5-$name-r$round.log" $(record s5 "${IDLE}-idle-tls" "$name" "$round") -- taskset -c "$PROXY_CPU" \
        $(crossgate_env "$EC" none mtls | JAVA_OPTS="$JAVA_OPTS ${variant[$name]}" crossgate_command) >>"$RAW/s5-at-rest.txt"
    done
    on_load_core "$BIN/cgbench" at-rest --addr "127.0.0.1:$NGINX_PORT" "${client[@]}" --idle-connections "$IDLE" \
      --log "$RAW/logs/s5-nginx-r$round.log" $(record s5 "${IDLE}-idle-tls" nginx "$round") -- \
      taskset -c "$PROXY_CPU" nginx -e "$WORK/s5-nginx/error.log" -c "$WORK/s5-nginx/nginx.conf" >>"$RAW/s5-at-rest.txt"
    on_load_core "$BIN/cgbench" at-rest --addr "127.0.0.1:$GHOSTUNNEL_PORT" "${client[@]}" --idle-connections "$IDLE_GHOSTUNNEL" \
      --log "$RAW/logs/s5-ghostunnel-r$round.log" $(record s5 "${IDLE}-idle-tls" ghostunnel "$round") -- \
      taskset -c "$PROXY_CPU" $(ghostunnel_command "$EC" off) >>"$RAW/s5-at-rest.txt"
  done
}

scenario_rotation() {
  log "scenario 6: rotation under load"
  local dir=$WORK/rotating
  mkdir -p "$dir"
  "$BIN/cgbench" issue --ca-cert "$EC/ca.crt" --ca-key "$EC/ca.key" --dir "$dir" >/dev/null
  start s6-crossgate "$PROXY_CPU" $(crossgate_env "$EC" none mtls \
    CROSSGATE_CERTS_EDGE_CERT_PATH=$dir/tls.crt CROSSGATE_CERTS_EDGE_KEY_PATH=$dir/tls.key | crossgate_command)
  wait_ready $ADMIN_PORT
  on_load_core "$BIN/cgbench" rotate --addr "127.0.0.1:$CROSSGATE_PORT" --ca "$EC/ca.crt" --ca-cert "$EC/ca.crt" \
    --ca-key "$EC/ca.key" --dir "$dir" -c 16 --warm-up "${ROTATE_WARMUP}s" --baseline 5s -d "${ROTATE_FOR}s" \
    $(record s6 every-1s-for-${ROTATE_FOR}s crossgate 1) >>"$RAW/s6-rotation.txt"
  curl -s "http://127.0.0.1:$ADMIN_PORT/stats" >"$RAW/s6-crossgate-stats.txt"
  stop_all
}

write_meta() {
  local rev
  rev=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
  cat >"$RAW/meta.md" <<EOF
Run: \`bench/run.sh --$MODE\` on $(date -u +%Y-%m-%dT%H:%MZ), Crossgate at \`$rev\`, $ROUNDS round(s) of ${SECONDS_PER_RUN}s per case after a ${WARMUP}s warm-up run per proxy and case (scenario 2: ${HANDSHAKE_SECONDS}s runs after ${JVM_WARMUP}s of warm-up for each Crossgate, ${NATIVE_WARMUP}s for the others); scenario 5: $AT_REST_ROUNDS round(s).

| machine | |
|---|---|
| cores | $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)) |
| memory | $(free -g | awk '/Mem:/ {print $2}') GiB |
| kernel | $(uname -r) |
| pinning | proxy under test on core $PROXY_CPU; load generator and backends on core $LOAD_CPU (\`taskset\`) |
| Java | $(java -version 2>&1 | head -1) |
| Crossgate JVM flags | \`$JAVA_OPTS\` (the JVM sees one core, so it picks the serial collector) |
| nginx | $(nginx -v 2>&1 | cut -d/ -f2) (\`worker_processes 1\`) |
| HAProxy | $(haproxy -v | head -1 | awk '{print $3}') (\`nbthread 1\`) |
| ghostunnel | v1.8.4, $(go version | awk '{print $3}') |
| socat | $(socat -V | awk '/socat version/ {print $3}') |
| load | wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') (HTTP/1.1, 1 thread, $CONCURRENCY connections), h2load $(h2load --version | awk '{print $2}') (HTTP/2, 1 thread, 8 connections x $((CONCURRENCY / 8)) streams), cgbench (Go, bench/cgbench) |
| TLS | 1.3 from client to proxy and proxy to backend; X25519 from the Go clients; ECDSA P-256 certificates unless the case says RSA |
| headers | every HTTP proxy appends the client to X-Forwarded-For, sets X-Forwarded-Proto, drops a client's X-Forwarded-Client-Cert and, with a client certificate, sets one from it (Crossgate's defaults; nginx and HAProxy configured to match) |
EOF
}

check_ports_free() {
  local busy=()
  for port in $BACKEND_MTLS $BACKEND_TLS $BACKEND_PLAIN $NGINX_PORT $HAPROXY_PORT $CROSSGATE_PORT $GHOSTUNNEL_PORT $ADMIN_PORT \
              $CROSSGATE_AWS_LC_PORT $ADMIN_AWS_LC_PORT $CROSSGATE_POLL_OFF_PORT $ADMIN_POLL_OFF_PORT $HAPROXY_BUSY_POLL_PORT \
              $PASSTHROUGH_PORT $TERMINATE_PORT $SOCAT_RELAY_PORT $SOCAT_TLS_PORT $GRPC_BACKEND $SINK_TLS $SINK_PLAIN; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && busy+=("$port")
  done
  if [ ${#busy[@]} -gt 0 ]; then
    echo "ports in use on 127.0.0.1: ${busy[*]}; the benchmark needs them free (is another run or a proxy still up?)" >&2
    exit 1
  fi
}

# --- main ---------------------------------------------------------------------------------------

check_ports_free
mkdir -p "$RAW/logs"
rm -f "$RAW"/*.txt "$RAW"/logs/*.log "$RECORDS"
install_packages
build_tools
make_certificates
write_meta
start_backend
wants s1 && scenario_keepalive
wants s2 && scenario_handshakes
wants s3 && scenario_grpc
wants s4 && scenario_tcp
wants s5 && scenario_at_rest
wants s6 && scenario_rotation
stop_all
"$BIN/cgbench" report --records "$RECORDS" --meta "$RAW/meta.md" --out "$OUT/latest.md"
log "wrote $OUT/latest.md"

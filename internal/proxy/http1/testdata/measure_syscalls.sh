#!/bin/sh
# Counts the syscalls per request of the test forwarder (forwarder_test.go)
# and, for reference, of an nginx proxy, between fortio and an nginx upstream
# answering 1 KB, all on loopback. Needs nginx, perf and fortio. Short runs
# on purpose (shared machines): counts are what this measures, not times.
#   sh internal/proxy/http1/testdata/measure_syscalls.sh [seconds]
set -eu
SECS=${1:-5}
W=$(mktemp -d /tmp/http1-measure.XXXXXX)
FORTIO=${FORTIO:-$(command -v fortio || echo /root/go/bin/fortio)}
head -c 1024 /dev/zero | tr '\0' x > "$W/body.txt"
# Two nginx instances: the upstream, and the proxy measured for reference.
conf() { # name body
	cat > "$W/$1.conf" <<CONF
worker_processes 1;
pid $W/$1.pid;
error_log $W/$1.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $W; proxy_temp_path $W; fastcgi_temp_path $W; uwsgi_temp_path $W; scgi_temp_path $W;
  $2
}
CONF
	nginx -p "$W" -c "$W/$1.conf"
}
conf upstream 'server { listen 127.0.0.1:18081; location / { root '"$W"'; try_files /body.txt =404; default_type text/plain; } }'
conf proxy 'upstream app { server 127.0.0.1:18081; keepalive 32; }
  server { listen 127.0.0.1:18082; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }'
trap 'kill $(cat "$W/upstream.pid") $(cat "$W/proxy.pid") 2>/dev/null; rm -rf "$W"' EXIT
go test -c -o "$W/http1.test" ./internal/proxy/http1
LOOM_HTTP1_FORWARD=127.0.0.1:18080,127.0.0.1:18081,$((SECS + 6)) GOMAXPROCS=1 \
	"$W/http1.test" -test.run TestServeForwarder >/dev/null 2>&1 &
sleep 1

# measure counts syscalls with perf's tracepoints (cheap; strace -c -f works
# too but slows every syscall, which keeps Go's sysmon awake and inflates
# its nanosleep count).
EVENTS=raw_syscalls:sys_enter,context-switches
for e in read readv recvfrom write writev sendto epoll_pwait epoll_wait futex nanosleep; do EVENTS=$EVENTS,syscalls:sys_enter_$e; done
measure() { # name url pid
	"$FORTIO" load -qps 1000 -c 16 -t 1s "$2" >/dev/null 2>&1
	perf stat -x, -e "$EVENTS" -p "$3" -o "$W/perf.$1" -- sleep "$((SECS + 1))" & PS=$!
	sleep 0.5
	N=$("$FORTIO" load -qps 1000 -c 16 -t "${SECS}s" -r 0.00001 "$2" 2>&1 | sed -n 's/^All done \([0-9]*\) calls.*/\1/p')
	wait $PS
	awk -F, -v n="$N" -v name="$1" '
		$3 ~ /sys_enter/ { sub(/.*sys_enter_?/, "", $3); c[$3 == "" ? "all" : $3] = $1 }
		$3 == "context-switches" { c["cs"] = $1 }
		END { printf "%-10s %6d req  context switches/req %.2f  syscalls/req %.2f (reads %.2f writes %.2f epoll %.2f futex %.2f nanosleep %.2f)\n",
			name, n, c["cs"]/n, c["all"]/n, (c["read"]+c["readv"]+c["recvfrom"])/n, (c["write"]+c["writev"]+c["sendto"])/n,
			(c["epoll_pwait"]+c["epoll_wait"])/n, c["futex"]/n, c["nanosleep"]/n }' "$W/perf.$1"
}
measure loom-codec http://127.0.0.1:18080/ "$(pgrep -f 'http1.test -test.run TestServeForwarder' | head -1)"
measure nginx http://127.0.0.1:18082/ "$(pgrep -P "$(cat "$W/proxy.pid")" | head -1)"

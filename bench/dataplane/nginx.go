package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The addresses the harness uses, all on loopback.
const (
	upstreamH1   = "127.0.0.1:18080" // the app: 1 KB answers, HTTP/1.1
	upstreamH2C  = "127.0.0.1:18081" // the same over h2c (prior knowledge)
	nginxFront   = "127.0.40.1:8080" // first nginx hop (the client's sidecar)
	nginxBack    = "127.0.40.2:8080" // second nginx hop (the server's sidecar)
	bodySize     = 1024
	nginxWorkers = 1
)

func nginxConfig(dir, name, servers string) string {
	return fmt.Sprintf(`daemon off;
master_process on;
worker_processes %d;
pid %s;
error_log %s warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
%s
}
`, nginxWorkers, filepath.Join(dir, name+".pid"), filepath.Join(dir, name+".error.log"), servers)
}

// upstreamServers answers every request with a 1 KB body, over HTTP/1.1 and h2c.
func upstreamServers() string {
	body := strings.Repeat("x", bodySize)
	return fmt.Sprintf(`  server { listen %s; location / { default_type text/plain; return 200 "%s"; } }
  server { listen %s http2; location / { default_type text/plain; return 200 "%s"; } }`,
		upstreamH1, body, upstreamH2C, body)
}

// proxyServer forwards to next over pooled HTTP/1.1 keep-alive connections.
func proxyServer(listen, next string) string {
	return fmt.Sprintf(`  upstream next { server %s; keepalive 64; keepalive_requests 1000000; }
  server {
    listen %s;
    location / {
      proxy_pass http://next;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }`, next, listen)
}

func startNginx(ctx context.Context, o options, dir, name, servers string) (*process, error) {
	conf := filepath.Join(dir, name+".conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(dir, name, servers)), 0o644); err != nil {
		return nil, err
	}
	return startProcess(ctx, dir, name, o.nginx, "-c", conf, "-p", dir, "-e", filepath.Join(dir, name+".error.log"))
}

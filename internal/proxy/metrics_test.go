package proxy

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
)

func prometheus(t *testing.T, p *testProxy) string {
	var b strings.Builder
	if err := p.dp.stats.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestIstioMetricsOnInbound(t *testing.T) {
	h, _ := flaky(3, 503)
	app := startBackend(t, h)
	addr, client, server := twoHops(t, app.addr, cluster.HTTP1)
	c := newClient(t)
	for i := 0; i < 10; i++ {
		get(t, c, "http://"+addr+"/")
	}
	// The server sidecar records a request after its response is written.
	waitFor(t, func() bool { return server.dp.stats.HTTP("inbound_9080").RqActive.Value() == 0 })
	out := prometheus(t, server)
	labels := `reporter="destination",source_workload="unknown",source_canonical_service="unknown",source_canonical_revision="latest",source_workload_namespace="unknown",source_principal="unknown",source_app="unknown",source_version="unknown",source_cluster="unknown",destination_workload="echo-v1",destination_workload_namespace="default",destination_principal="unknown",destination_app="echo",destination_version="v1",destination_service="echo.default.svc.cluster.local",destination_canonical_service="echo",destination_canonical_revision="v1",destination_service_name="echo",destination_service_namespace="default",destination_cluster="unknown",connection_security_policy="none"`
	for _, want := range []string{
		`istio_requests_total{` + labels + `,request_protocol="http",response_code="200",grpc_response_status="",response_flags="-"} 7`,
		`istio_requests_total{` + labels + `,request_protocol="http",response_code="503",grpc_response_status="",response_flags="-"} 3`,
		`istio_request_duration_milliseconds_count{` + labels + `,request_protocol="http",response_code="200",grpc_response_status="",response_flags="-"} 7`,
		`envoy_cluster_upstream_rq_total{cluster_name="inbound|9080||"} 10`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("server sidecar metrics lack\n%s\n\ngot:\n%s", want, out)
		}
	}
	if strings.Contains(prometheus(t, client), "istio_requests_total") {
		t.Error("client sidecar reports istio_requests_total for an outbound listener; only inbound listeners report (reporter=destination)")
	}
}

func TestIstioMetricsGRPC(t *testing.T) {
	addr, _, server := twoHops(t, startGRPC(t), cluster.HTTP2)
	client := dialGRPC(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client.UnaryCall(ctx, &testgrpc.SimpleRequest{})
	client.UnaryCall(ctx, &testgrpc.SimpleRequest{ResponseStatus: &testgrpc.EchoStatus{Code: int32(codes.Unavailable)}})
	waitFor(t, func() bool { return server.dp.stats.HTTP("inbound_9080").RqActive.Value() == 0 })
	out := prometheus(t, server)
	for _, want := range []string{
		`request_protocol="grpc",response_code="200",grpc_response_status="0",response_flags="-"} 1`,
		`request_protocol="grpc",response_code="200",grpc_response_status="14",response_flags="-"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s\n%s", want, out)
		}
	}
}

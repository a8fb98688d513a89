package admin

import (
	"net/http"
	"testing"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

func TestClusters(t *testing.T) {
	f := newFixture(t, Options{})
	m := xdstest.BaseMesh(t, "127.0.2.1", "127.0.2.2")
	unhealthy := xdstest.Endpoints(xdstest.Reviews, "127.0.2.3")
	unhealthy.Endpoints[0].LbEndpoints[0].HealthStatus = corev3.HealthStatus_UNHEALTHY
	m.Endpoints[0].(*endpointv3.ClusterLoadAssignment).Endpoints[0].LbEndpoints = append(
		m.Endpoints[0].(*endpointv3.ClusterLoadAssignment).Endpoints[0].LbEndpoints, unhealthy.Endpoints[0].LbEndpoints[0])
	f.sync(t, "1", m)
	const c = xdstest.Reviews
	for _, line := range []string{
		c + "::127.0.2.1:9080::health_flags::healthy\n",
		c + "::127.0.2.3:9080::health_flags::/failed_eds_health\n",
		c + "::observability_name::" + c + "\n",
		c + "::default_priority::max_connections::1024\n",
		c + "::default_priority::max_retries::3\n",
		c + "::127.0.2.2:9080::weight::1\n",
	} {
		expect(t, f, "GET", "/clusters", http.StatusOK, line)
	}

	_, js := f.do(t, "GET", "/clusters?format=json")
	var cs adminv3.Clusters
	if err := UnmarshalJSON([]byte(js), &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs.GetClusterStatuses()) != 1 || len(cs.ClusterStatuses[0].GetHostStatuses()) != 3 {
		t.Fatalf("clusters json = %v", &cs)
	}
	h := cs.ClusterStatuses[0].HostStatuses[0]
	if h.GetAddress().GetSocketAddress().GetAddress() != "127.0.2.1" || h.GetHealthStatus().GetEdsHealthStatus() != corev3.HealthStatus_HEALTHY {
		t.Errorf("host = %v", h)
	}
}

func TestListeners(t *testing.T) {
	f := newFixture(t, Options{})
	expect(t, f, "GET", "/listeners", http.StatusOK, "")
	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))
	expect(t, f, "GET", "/listeners", http.StatusOK, "127.0.0.1_9080::127.0.0.1:9080\n")
	_, js := f.do(t, "GET", "/listeners?format=json")
	var ls adminv3.Listeners
	if err := UnmarshalJSON([]byte(js), &ls); err != nil {
		t.Fatal(err)
	}
	if len(ls.GetListenerStatuses()) != 1 || ls.ListenerStatuses[0].GetLocalAddress().GetSocketAddress().GetPortValue() != 9080 {
		t.Errorf("listeners json = %v", &ls)
	}
}

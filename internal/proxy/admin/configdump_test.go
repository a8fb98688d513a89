package admin

import (
	"net/http"
	"strings"
	"testing"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/proxy/xdsclient/xdstest"
)

// meshWithTrouble is BaseMesh plus a listener the proxy rejects and one
// that waits for a route configuration never sent.
func meshWithTrouble(t *testing.T) xdstest.Resources {
	m := xdstest.BaseMesh(t, "127.0.2.1")
	m.Listeners = append(m.Listeners, xdstest.BadListener(t, 9081), xdstest.HTTPListener(t, 9082, "never-sent"))
	return m
}

func getDump(t *testing.T, f *fixture, path string) *adminv3.ConfigDump {
	t.Helper()
	code, body := f.do(t, "GET", path)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, code, body)
	}
	var d adminv3.ConfigDump
	if err := UnmarshalJSON([]byte(body), &d); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
	return &d
}

func unpack[T proto.Message](t *testing.T, a *anypb.Any, m T) T {
	t.Helper()
	if err := a.UnmarshalTo(m); err != nil {
		t.Fatalf("%s: %v", a.GetTypeUrl(), err)
	}
	return m
}

func typeNames(d *adminv3.ConfigDump) []string {
	var out []string
	for _, c := range d.GetConfigs() {
		out = append(out, c.GetTypeUrl()[strings.LastIndexByte(c.GetTypeUrl(), '.')+1:])
	}
	return out
}

func TestConfigDump(t *testing.T) {
	f := newFixture(t, Options{AdminAddress: "127.0.1.3:15000"})
	f.cp.Set(testNode.ID(), "1", meshWithTrouble(t))
	waitUntil(t, "the NACK and everything but listener 9082 warm", func() bool {
		st := f.client.Status()
		return st.LastNACK != nil && len(st.Warming) == 1 && st.Warming[0] == "listener 127.0.0.1_9082"
	})

	d := getDump(t, f, "/config_dump")
	if diff := cmp.Diff([]string{"BootstrapConfigDump", "ClustersConfigDump", "ListenersConfigDump", "RoutesConfigDump"}, typeNames(d)); diff != "" {
		t.Fatalf("config types (-want +got):\n%s", diff)
	}
	boot := unpack(t, d.Configs[0], &adminv3.BootstrapConfigDump{})
	if got := boot.GetBootstrap().GetNode().GetId(); got != testNode.ID() {
		t.Errorf("bootstrap node id = %q", got)
	}
	if got := boot.GetBootstrap().GetAdmin().GetAddress().GetSocketAddress().GetPortValue(); got != 15000 {
		t.Errorf("bootstrap admin port = %d", got)
	}
	clusters := unpack(t, d.Configs[1], &adminv3.ClustersConfigDump{})
	if len(clusters.GetDynamicActiveClusters()) != 1 || clusters.GetVersionInfo() != "1" {
		t.Errorf("clusters = %v", clusters)
	}
	byName := map[string]*adminv3.ListenersConfigDump_DynamicListener{}
	for _, l := range unpack(t, d.Configs[2], &adminv3.ListenersConfigDump{}).GetDynamicListeners() {
		byName[l.GetName()] = l
	}
	checkActive(t, byName[xdstest.ListenerName(9080)])
	checkRejected(t, byName[xdstest.ListenerName(9081)])
	if w := byName[xdstest.ListenerName(9082)]; w.GetActiveState() != nil || w.GetWarmingState().GetListener() == nil {
		t.Errorf("warming listener = %v", w)
	}
	routes := unpack(t, d.Configs[3], &adminv3.RoutesConfigDump{})
	if rc := routes.GetDynamicRouteConfigs(); len(rc) != 1 || rc[0].GetVersionInfo() != "1" || rc[0].GetLastUpdated() == nil {
		t.Errorf("routes = %v", routes)
	}
}

func checkActive(t *testing.T, l *adminv3.ListenersConfigDump_DynamicListener) {
	t.Helper()
	a := l.GetActiveState()
	if a.GetVersionInfo() != "1" || a.GetLastUpdated() == nil || l.GetClientStatus() != adminv3.ClientResourceStatus_ACKED {
		t.Errorf("active listener = %v", l)
		return
	}
	got := unpack(t, a.GetListener(), &listenerv3.Listener{})
	if got.GetName() != xdstest.ListenerName(9080) || got.GetAddress().GetSocketAddress().GetPortValue() != 9080 {
		t.Errorf("active listener resource = %v", got)
	}
}

func checkRejected(t *testing.T, l *adminv3.ListenersConfigDump_DynamicListener) {
	t.Helper()
	e := l.GetErrorState()
	want := `listener 127.0.0.1_9081: filter_chains[0].filters[0]: unsupported filter "envoy.filters.network.redis_proxy"`
	if l.GetActiveState() != nil || !strings.HasPrefix(e.GetDetails(), want) || e.GetFailedConfiguration() == nil ||
		l.GetClientStatus() != adminv3.ClientResourceStatus_NACKED {
		t.Errorf("rejected listener = %v", l)
	}
}

func TestConfigDumpQueries(t *testing.T) {
	f := newFixture(t, Options{})
	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))

	d := getDump(t, f, "/config_dump?include_eds")
	if got := typeNames(d); len(got) != 5 || got[2] != "EndpointsConfigDump" {
		t.Fatalf("with include_eds: %v", got)
	}
	eps := unpack(t, d.Configs[2], &adminv3.EndpointsConfigDump{}).GetDynamicEndpointConfigs()
	if len(eps) != 1 || !strings.Contains(eps[0].GetEndpointConfig().String(), "127.0.2.1") {
		t.Errorf("endpoints = %v", eps)
	}

	d = getDump(t, f, "/config_dump?resource=dynamic_active_clusters")
	if len(d.GetConfigs()) != 1 || !strings.HasSuffix(d.Configs[0].GetTypeUrl(), "ClustersConfigDump.DynamicCluster") {
		t.Errorf("resource=dynamic_active_clusters: %v", d)
	}
	d = getDump(t, f, "/config_dump?resource=dynamic_listeners&name_regex=.*_9081")
	if len(d.GetConfigs()) != 0 {
		t.Errorf("name_regex matched %d listeners, want 0", len(d.GetConfigs()))
	}
	expect(t, f, "GET", "/config_dump?resource=dynamic_endpoint_configs", http.StatusNotFound, "no resource")
	expect(t, f, "GET", "/config_dump?resource=version_info", http.StatusBadRequest, "not a repeated message field")
	expect(t, f, "GET", "/config_dump?name_regex=(", http.StatusBadRequest, "name_regex")
}

func TestConfigDumpJSONIsEnvoys(t *testing.T) {
	f := newFixture(t, Options{})
	f.sync(t, "1", xdstest.BaseMesh(t, "127.0.2.1"))
	body := expect(t, f, "GET", "/config_dump", http.StatusOK, `"dynamic_listeners"`)
	if !strings.HasPrefix(body, "{\n \"configs\": [\n  {\n   \"@type\": \"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump\"") {
		t.Errorf("not Envoy's layout (snake_case, one-space indent):\n%.300s", body)
	}
}

func TestLenientResolverKeepsUnknownTypes(t *testing.T) {
	// A rejected listener's filter type is unknown to this binary.
	l := xdstest.BadListener(t, 9081)
	l.FilterChains[0].Filters[0].GetTypedConfig().TypeUrl = "type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy"
	b, err := MarshalJSON(l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "redis_proxy.v3.RedisProxy") {
		t.Errorf("unknown type dropped:\n%s", b)
	}
	var back listenerv3.Listener
	if err := UnmarshalJSON(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.GetFilterChains()[0].GetFilters()[0].GetTypedConfig().GetTypeUrl(); !strings.HasSuffix(got, "RedisProxy") {
		t.Errorf("type URL after a round trip = %q", got)
	}
}

package xdsserver

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	router "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	xdsgrpc "google.golang.org/grpc/xds"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/loom-mesh/loom/internal/xds"
)

// TestGRPCProxylessClient serves a gRPC xDS client (grpc-go's own, as a
// proxyless mesh app uses it): it resolves a target through LDS, RDS, CDS
// and EDS from this server, calls the backend, and follows an endpoint move.
func TestGRPCProxylessClient(t *testing.T) {
	first, second := startHealthBackend(t, healthpb.HealthCheckResponse_SERVING), startHealthBackend(t, healthpb.HealthCheckResponse_NOT_SERVING)
	const target = "echo.default.svc.cluster.local:9080"
	h := startServer(t, proxylessGenerator(target, first))
	bootstrap := fmt.Sprintf(`{
		"xds_servers": [{"server_uri": %q, "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],
		"node": {"id": "sidecar~127.0.0.1~app.default~default.svc.cluster.local", "metadata": {"NAMESPACE": "default", "GENERATOR": "grpc"}}
	}`, h.addr)
	resolver, err := xdsgrpc.NewXDSResolverWithConfigForTesting([]byte(bootstrap))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := grpc.NewClient("xds:///"+target, grpc.WithResolvers(resolver), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	waitHealth(t, cc, healthpb.HealthCheckResponse_SERVING)

	h.srv.Update(context.Background(), proxylessGenerator(target, second))
	waitHealth(t, cc, healthpb.HealthCheckResponse_NOT_SERVING)
	waitStatus(t, h.srv, func(st []ProxyStatus) bool {
		return len(st) == 1 && allSynced(st[0])
	})
}

// startHealthBackend serves the health service answering status for "which".
func startHealthBackend(t *testing.T, st healthpb.HealthCheckResponse_ServingStatus) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("which", st)
	healthpb.RegisterHealthServer(gs, hs)
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	return lis.Addr().String()
}

func waitHealth(t *testing.T, cc *grpc.ClientConn, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: "which"})
		cancel()
		if err == nil && resp.GetStatus() == want {
			return
		}
		last = fmt.Sprint(resp.GetStatus(), err)
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("backend never answered %v; last: %s", want, last)
}

// proxylessGenerator emits what a gRPC client needs for target: an API
// listener, its route configuration, an EDS cluster and its endpoint.
func proxylessGenerator(target, backend string) Generator {
	host, port, _ := net.SplitHostPort(backend)
	var portNum uint32
	fmt.Sscan(port, &portNum)
	const clusterName = "outbound|9080||echo.default.svc.cluster.local"
	routerCfg, _ := anypb.New(&router.Router{})
	manager, _ := anypb.New(&hcm.HttpConnectionManager{
		RouteSpecifier: &hcm.HttpConnectionManager_Rds{Rds: &hcm.Rds{
			RouteConfigName: "echo-routes",
			ConfigSource:    &core.ConfigSource{ConfigSourceSpecifier: &core.ConfigSource_Ads{Ads: &core.AggregatedConfigSource{}}},
		}},
		HttpFilters: []*hcm.HttpFilter{{Name: "router", ConfigType: &hcm.HttpFilter_TypedConfig{TypedConfig: routerCfg}}},
	})
	lst := &listener.Listener{Name: target, ApiListener: &listener.ApiListener{ApiListener: manager}}
	rc := &route.RouteConfiguration{Name: "echo-routes", VirtualHosts: []*route.VirtualHost{{
		Name: "echo", Domains: []string{"*"},
		Routes: []*route.Route{{
			Match:  &route.RouteMatch{PathSpecifier: &route.RouteMatch_Prefix{Prefix: "/"}},
			Action: &route.Route_Route{Route: &route.RouteAction{ClusterSpecifier: &route.RouteAction_Cluster{Cluster: clusterName}}},
		}},
	}}}
	cl := edsCluster(clusterName)
	cl.LbPolicy = cluster.Cluster_ROUND_ROBIN
	cla := loadAssignment(clusterName, []string{host})
	cla.Endpoints[0].LbEndpoints[0].GetEndpoint().Address = socketAddress(host, portNum)
	// gRPC NACKs a locality without an id or weight (it says so, and the
	// server logs the NACK): give it both.
	cla.Endpoints[0].Locality = &core.Locality{Region: "local"}
	cla.Endpoints[0].LoadBalancingWeight = wrapperspb.UInt32(1)
	res := xds.ProxyResources{
		resource.ListenerType: {target: xds.NewResource(resource.ListenerType, target, lst)},
		resource.RouteType:    {"echo-routes": xds.NewResource(resource.RouteType, "echo-routes", rc)},
		resource.ClusterType:  {clusterName: xds.NewResource(resource.ClusterType, clusterName, cl)},
		resource.EndpointType: {clusterName: xds.NewResource(resource.EndpointType, clusterName, cla)},
	}
	return GeneratorFunc(func(*xds.Proxy) xds.ProxyResources { return res })
}

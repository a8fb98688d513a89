package cluster

import (
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// FuzzDecode feeds arbitrary bytes as a Cluster, as a ClusterLoadAssignment
// and as the Cluster's HTTP protocol options Any: decoding must never panic,
// and a cluster it accepts must be internally consistent.
func FuzzDecode(f *testing.F) {
	for _, m := range []proto.Message{edsCluster(), explicitHTTP2(), &endpointv3.ClusterLoadAssignment{ClusterName: "c",
		Endpoints: []*endpointv3.LocalityLbEndpoints{{LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint("10.0.0.1", 80)}}}}} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c clusterv3.Cluster
		if proto.Unmarshal(b, &c) == nil {
			if cfg, err := Decode(&c); err == nil {
				checkCluster(t, cfg)
			}
		}
		var cla endpointv3.ClusterLoadAssignment
		if proto.Unmarshal(b, &cla) == nil {
			_, _ = DecodeEndpoints(&cla)
		}
		withOpts := edsCluster()
		withOpts.TypedExtensionProtocolOptions = map[string]*anypb.Any{
			HTTPProtocolOptionsKey: {TypeUrl: "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions", Value: b},
		}
		if cfg, err := Decode(withOpts); err == nil {
			checkCluster(t, cfg)
		}
	})
}

func checkCluster(t *testing.T, cfg *Config) {
	t.Helper()
	if cfg.ConnectTimeout <= 0 {
		t.Errorf("accepted cluster with connect timeout %v", cfg.ConnectTimeout)
	}
	if (cfg.Discovery == EDS) != (cfg.Endpoints == nil) {
		t.Errorf("discovery %v with endpoints %v", cfg.Discovery, cfg.Endpoints)
	}
	if cfg.Discovery == EDS && cfg.EDSServiceName == "" {
		t.Error("EDS cluster without a service name")
	}
}

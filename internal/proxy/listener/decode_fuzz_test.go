package listener

import (
	"testing"

	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// FuzzDecode feeds arbitrary bytes as a Listener and as the Any of its
// network filter (HTTP connection manager, TCP proxy): decoding must never
// panic, and an accepted listener must have exactly one of HTTP and TCP.
func FuzzDecode(f *testing.F) {
	for _, m := range []proto.Message{listenerWith(f, outboundHCM(f)), outboundHCM(f)} {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l listenerv3.Listener
		if proto.Unmarshal(b, &l) == nil {
			if cfg, err := Decode(&l); err == nil {
				checkListener(t, cfg)
			}
		}
		for _, typ := range []string{hcmType, tcpProxyType} {
			l := listenerWith(t, outboundHCM(t))
			l.FilterChains[0].Filters[0].ConfigType = &listenerv3.Filter_TypedConfig{TypedConfig: &anypb.Any{TypeUrl: "type.googleapis.com/" + typ, Value: b}}
			if cfg, err := Decode(l); err == nil {
				checkListener(t, cfg)
			}
		}
	})
}

func checkListener(t *testing.T, cfg *Config) {
	t.Helper()
	if (cfg.Chain.HTTP == nil) == (cfg.Chain.TCP == nil) {
		t.Fatalf("listener %q: want exactly one of HTTP and TCP, got %+v", cfg.Name, cfg.Chain)
	}
	if h := cfg.Chain.HTTP; h != nil && (h.RouteConfigName == "") == (h.InlineRoutes == nil) {
		t.Errorf("listener %q: want exactly one of RDS and inline routes", cfg.Name)
	}
	if !cfg.Address.IsValid() {
		t.Errorf("listener %q: invalid address", cfg.Name)
	}
}

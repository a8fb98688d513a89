//lint:file-ignore SA1019 Envoy still accepts the deprecated HeaderMatcher fields (exact_match, safe_regex_match, ...) and older control planes emit them, so the proxy decodes them too.

package route

import (
	"testing"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// FuzzDecode feeds arbitrary bytes as a RouteConfiguration and as a route's
// fault filter Any: decoding must never panic, and an accepted configuration
// must be usable by the matcher as is.
func FuzzDecode(f *testing.F) {
	r := baseRoute()
	r.Match.Headers = []*routev3.HeaderMatcher{{Name: "x", HeaderMatchSpecifier: &routev3.HeaderMatcher_SafeRegexMatch{SafeRegexMatch: safeRegex("a+")}}}
	b, err := proto.Marshal(configWith(r))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var rc routev3.RouteConfiguration
		if proto.Unmarshal(b, &rc) == nil {
			if cfg, err := Decode(&rc); err == nil {
				checkConfig(t, cfg)
			}
		}
		withFault := baseRoute()
		withFault.TypedPerFilterConfig = map[string]*anypb.Any{
			FaultFilterName: {TypeUrl: "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", Value: b},
		}
		if cfg, err := Decode(configWith(withFault)); err == nil {
			checkConfig(t, cfg)
		}
	})
}

func checkConfig(t *testing.T, cfg *Config) {
	t.Helper()
	for _, vh := range cfg.VirtualHosts {
		for _, r := range vh.Routes {
			actions := 0
			for _, set := range []bool{r.Forward != nil, r.Redirect != nil, r.Direct != nil} {
				if set {
					actions++
				}
			}
			if actions != 1 {
				t.Errorf("route %q has %d actions", r.Name, actions)
			}
			if r.Match.PathKind == PathRegex && r.Match.PathRegex == nil {
				t.Errorf("route %q: regex path without a compiled regex", r.Name)
			}
			if r.Forward != nil && (len(r.Forward.Clusters) == 0 || r.Forward.TotalWeight == 0) {
				t.Errorf("route %q forwards nowhere", r.Name)
			}
			if r.Fault != nil && (r.Fault.DelayMillionths > 1e6 || r.Fault.AbortMillionths > 1e6) {
				t.Errorf("route %q: fault percentage over 100%%", r.Name)
			}
		}
	}
}

package xdsclient

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
)

// goldenDir holds the control plane's generated xDS for the Bookinfo samples
// and more (internal/xds golden files). Reading them is no import of the
// control plane: it is the contract of docs/xds.md, checked from this side.
const goldenDir = "../../xds/testdata/golden"

// TestProxyAcceptsWhatTheControlPlaneEmits decodes every resource of every
// golden file with the proxy's decoders: none may be NACKed.
func TestProxyAcceptsWhatTheControlPlaneEmits(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Skipf("no control-plane golden files under %s", goldenDir)
	}
	byType := map[string]string{"listeners": ListenerType, "routes": RouteType, "clusters": ClusterType, "endpoints": EndpointType}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string][]json.RawMessage
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			decoded := 0
			for field, typeURL := range byType {
				k := kindOf(typeURL)
				for _, raw := range doc[field] {
					msg := k.newMsg()
					if err := protojson.Unmarshal(raw, msg); err != nil {
						t.Fatalf("%s: %v", field, err)
					}
					if _, err := k.decode(msg); err != nil {
						t.Errorf("NACK: %v", err)
					}
					decoded++
				}
			}
			if decoded == 0 {
				t.Errorf("no resources in %s", file)
			}
		})
	}
}

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/demo"
)

// `loom demo --duration 20s --output json` prints exactly one JSON object:
// reviews split near 80/20 between v1 and v2, and no errors anywhere.
func TestDemoJSON(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, loomBin, "demo", "--duration", "20s", "--output", "json")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("loom demo: %v\nstderr:\n%s\nstdout:\n%s", err, stderr.String(), stdout.String())
	}
	t.Logf("loom demo ran %v", time.Since(start).Round(time.Millisecond))
	dec := json.NewDecoder(&stdout)
	var s demo.Summary
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("stdout is not a JSON summary: %v\n%s", err, stdout.String())
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON value (next token err %v)", err)
	}
	counts := map[string]uint64{}
	for _, d := range s.Destinations {
		if d.Errors != 0 {
			t.Errorf("%s %s: %d errors of %d requests", d.Service, d.Version, d.Errors, d.Requests)
		}
		if d.Service == "reviews" {
			counts[d.Version] = d.Requests
		}
	}
	v1, v2 := float64(counts["v1"]), float64(counts["v2"])
	if v1+v2 < 500 || counts["v3"] != 0 {
		t.Fatalf("reviews counts %v: want ≥500 requests in 20s, none to v3", counts)
	}
	if share := v1 / (v1 + v2); share < 0.75 || share > 0.85 {
		t.Errorf("reviews v1 got %.1f%% (v1 %v, v2 %v), want 80%% ± 5", 100*share, v1, v2)
	}
	if s.Client.Failed != 0 || s.Client.Sent == 0 {
		t.Errorf("client: %+v", s.Client)
	}
	if s.MTLS {
		t.Error("summary claims mTLS, which is not built yet")
	}
}

package controlplane

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/loom-mesh/loom/internal/config"
)

func TestProblemLogLogsEachProblemOnce(t *testing.T) {
	var buf bytes.Buffer
	l := newProblemLog(slog.New(slog.NewTextHandler(&buf, nil)))
	weight := config.Problem{Key: config.Key{Kind: config.KindVirtualService, Namespace: "default", Name: "reviews"},
		Field: "spec.http[0].route[1].weight", Reason: "must be 0..100"}
	subset := config.Problem{Key: config.Key{Kind: config.KindVirtualService, Namespace: "default", Name: "ratings"},
		Field: "spec.http[0].route[0].destination.subset", Reason: `unknown subset "v9"`, Severity: config.SeverityWarning}

	l.update(1, []config.Problem{weight})
	l.update(2, []config.Problem{weight, subset})
	l.update(3, []config.Problem{subset})

	out := buf.String()
	if n := strings.Count(out, "must be 0..100"); n != 2 { // appeared, then resolved
		t.Errorf("weight problem logged %d times, want 2 (appeared, resolved):\n%s", n, out)
	}
	if !strings.Contains(out, `msg="config problem resolved" problem="VirtualService default/reviews: spec.http[0].route[1].weight: must be 0..100"`) {
		t.Errorf("no resolution logged:\n%s", out)
	}
	if n := strings.Count(out, "unknown subset"); n != 1 {
		t.Errorf("subset problem logged %d times, want 1:\n%s", n, out)
	}
	version, current := l.snapshot()
	if version != 3 || len(current) != 1 || current[0] != subset {
		t.Errorf("snapshot = %d %v", version, current)
	}
}

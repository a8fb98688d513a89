package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Each invalid file is reported in the control plane's log with kind, name,
// field path and reason, and the mesh keeps serving on the last good config.
func TestInvalidConfigIsReportedAndNothingStops(t *testing.T) {
	b := startBookinfo(t, map[string][]byte{"reviews.yaml": sample(t, "virtual-service-reviews-test-v2.yaml")})
	everyFifthJason := func(i int) string {
		if i%5 == 0 {
			return "jason"
		}
		return ""
	}
	load := startLoad(b.page, 100, everyFifthJason)
	for _, bc := range badConfigs {
		t.Run(bc.name, func(t *testing.T) {
			if err := b.WriteFile(bc.file, []byte(bc.yaml)); err != nil {
				t.Fatal(err)
			}
			d := eventually(t, 5*time.Second, "control plane logs the problem", func() error {
				log, err := b.ControlPlane().Log()
				if err != nil {
					return err
				}
				if lineWith(string(log), bc.want) == "" {
					return fmt.Errorf("no line with %q in the control plane's log", bc.want)
				}
				return nil
			})
			t.Logf("reported after %v", d.Round(time.Millisecond))
			time.Sleep(500 * time.Millisecond) // traffic keeps flowing while the bad file is there
			if bc.file != "reviews.yaml" {
				if err := b.RemoveFile(bc.file); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
	results := load.stop()
	for _, r := range results {
		want := "v1"
		if r.endUser == "jason" {
			want = "v2"
		}
		if f := r.failure(); f != "" || r.reviews() != want {
			t.Fatalf("a request (end-user %q) got reviews %q, failure %q; want the last good routing (%s) throughout",
				r.endUser, r.reviews(), f, want)
		}
	}
	t.Logf("%d requests served on the last good config while invalid files came and went", len(results))

	// The control plane still applies a valid change after all that.
	if err := b.WriteFile("reviews.yaml", sample(t, "virtual-service-reviews-jason-v2-v3.yaml")); err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "a valid rewrite applies", func() error {
		if r := b.page.get(context.Background(), ""); r.reviews() != "v3" {
			return fmt.Errorf("served by %q %s", r.reviews(), r.failure())
		}
		return nil
	})
	if log, _ := b.ControlPlane().Log(); strings.Contains(string(log), "panic") {
		t.Errorf("control plane log mentions a panic:\n%s", b.ControlPlane().LogTail(30))
	}
}

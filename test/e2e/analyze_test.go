package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/mesh"
)

// loom runs the loom binary and returns its combined output and exit code.
func loom(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, loomBin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit):
		return out.String(), exit.ExitCode()
	default:
		t.Fatalf("loom %v: %v", args, err)
		return "", -1
	}
}

// Every Istio Bookinfo sample in the repo is accepted by `loom analyze`, one
// file at a time (a VirtualService with the DestinationRule defining its
// subsets, as Istio's docs apply them), and the mesh the demo generates.
func TestAnalyzeAcceptsEveryBookinfoSample(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(repoSamples, "*.yaml"))
	if err != nil || len(files) < 11 {
		t.Fatalf("found %d samples in %s (%v), want the 11 Bookinfo files", len(files), repoSamples, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			args := []string{"analyze", "-f", f}
			if strings.HasPrefix(filepath.Base(f), "virtual-service-") {
				args = append(args, "-f", filepath.Join(repoSamples, "destination-rule-all.yaml"))
			}
			if out, code := loom(t, args...); code != 0 {
				t.Errorf("loom %v: exit %d\n%s", args, code, out)
			}
		})
	}
	t.Run("generated mesh with destination rules and 80-20", func(t *testing.T) {
		dir := t.TempDir()
		spec := mesh.Bookinfo()
		manifest, err := mesh.Manifest(&spec, mesh.Plan{Block: 1})
		if err != nil {
			t.Fatal(err)
		}
		write(t, dir, mesh.ManifestFile, manifest)
		for _, name := range []string{"destination-rule-all.yaml", "virtual-service-reviews-80-20.yaml"} {
			write(t, dir, name, sample(t, name))
		}
		if out, code := loom(t, "analyze", dir); code != 0 {
			t.Errorf("loom analyze %s: exit %d\n%s", dir, code, out)
		}
	})
}

func write(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// badConfig is one invalid file and what `loom analyze` and the control plane
// must say about it: the object's kind and name, the field path, a reason.
type badConfig struct {
	name, file, yaml string
	want             []string // substrings of one reported line
}

var badConfigs = []badConfig{
	{"bad YAML", "bad-yaml.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: broken\nspec:\n  hosts: [reviews\n",
		[]string{"bad-yaml.yaml"}},
	{"weight 150", "reviews.yaml", vsWeights("reviews", "v1", 150, "v2", 0),
		[]string{"VirtualService default/reviews: spec.http[0].route[0].weight: "}},
	{"unknown subset", "reviews.yaml", vsWeights("reviews", "v1", 50, "v9", 50),
		[]string{"VirtualService default/reviews: spec.http[0].route[1].destination.subset: ", "v9"}},
	{"missing host", "reviews.yaml", `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews]
  http:
  - route:
    - destination:
        subset: v1
`, []string{"VirtualService default/reviews: spec.http[0].route[0].destination.host: "}},
}

// vsWeights is a reviews-style VirtualService splitting traffic between two subsets.
func vsWeights(host, s1 string, w1 int, s2 string, w2 int) string {
	return strings.NewReplacer("HOST", host, "S1", s1, "W1", itoa(w1), "S2", s2, "W2", itoa(w2)).Replace(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: HOST
spec:
  hosts:
  - HOST
  http:
  - route:
    - destination:
        host: HOST
        subset: S1
      weight: W1
    - destination:
        host: HOST
        subset: S2
      weight: W2
`)
}

// lineWith returns the first line of out containing every substring, or "".
func lineWith(out string, subs []string) string {
	for _, line := range strings.Split(out, "\n") {
		ok := true
		for _, s := range subs {
			ok = ok && strings.Contains(line, s)
		}
		if ok {
			return line
		}
	}
	return ""
}

func TestAnalyzeReportsInvalidFiles(t *testing.T) {
	for _, bc := range badConfigs {
		t.Run(bc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "destination-rule-all.yaml", sample(t, "destination-rule-all.yaml"))
			write(t, dir, bc.file, []byte(bc.yaml))
			out, code := loom(t, "analyze", dir)
			if code == 0 {
				t.Errorf("loom analyze exited 0 on %s:\n%s", bc.name, out)
			}
			line := lineWith(out, bc.want)
			if line == "" {
				t.Fatalf("no line with %q in:\n%s", bc.want, out)
			}
			if reason := line[strings.LastIndex(line, ": ")+2:]; len(strings.TrimSpace(reason)) < 3 {
				t.Errorf("line %q gives no reason", line)
			}
		})
	}
}

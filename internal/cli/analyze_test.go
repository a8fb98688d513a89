package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const bookinfo = "../../samples/istio-bookinfo"

func runLoom(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestAnalyzeBookinfoSamples: every sample is accepted, each read the way
// Istio's docs apply it (routing files on top of destination-rule-all.yaml).
func TestAnalyzeBookinfoSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(bookinfo, "*.yaml"))
	if err != nil || len(files) != 11 {
		t.Fatalf("want the 11 Bookinfo samples, got %d (%v)", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			args := []string{"analyze", "-f", f}
			if !strings.HasPrefix(filepath.Base(f), "destination-rule") {
				args = append(args, "-f", filepath.Join(bookinfo, "destination-rule-all.yaml"))
			}
			code, stdout, stderr := runLoom(t, args...)
			if code != 0 || strings.Contains(stdout, ": error: ") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			if !strings.HasPrefix(stderr, "loom analyze: 0 errors, ") {
				t.Errorf("summary = %q", stderr)
			}
		})
	}
}

func TestAnalyzeBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dr := write("dr.yaml", "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec:\n  host: reviews\n  subsets:\n  - {name: v1, labels: {version: v1}}\n")
	vs := func(routes string) string {
		return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - route:\n" + routes
	}
	tests := []struct {
		name, file, content string
		code                int
		stdout              []string
	}{
		{"bad YAML", "bad.yaml", "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: [reviews\n", 1,
			[]string{"bad.yaml#0: error: invalid YAML: yaml: line 4: did not find expected ',' or ']'"}},
		{"weight 150", "weight.yaml", vs("    - {destination: {host: reviews, subset: v1}, weight: 150}\n    - {destination: {host: reviews, subset: v1}, weight: 20}\n"), 1,
			[]string{"weight.yaml#0: error: VirtualService default/reviews: spec.http[0].route[0].weight: must be between 0 and 100"}},
		{"unknown subset", "subset.yaml", vs("    - {destination: {host: reviews, subset: v2}}\n"), 1,
			[]string{`subset.yaml#0: error: VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v2" is not defined by any DestinationRule for host reviews.default.svc.cluster.local`}},
		{"missing host", "host.yaml", vs("    - {destination: {subset: v1}}\n"), 1,
			[]string{"host.yaml#0: error: VirtualService default/reviews: spec.http[0].route[0].destination.host: required"}},
		{"unknown field", "field.yaml", vs("    - {destination: {host: reviews}, wieght: 1}\n"), 1,
			[]string{"field.yaml#0: error: VirtualService default/reviews: spec.http[0].route[0].wieght: unknown field"}},
		{"warnings only", "warn.yaml", vs("    - {destination: {host: reviews}}\n") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: reviews}\n", 0,
			[]string{"warn.yaml#1: warning: kind: Service (v1) is not a kind Loom reads; ignored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.file, tt.content)
			code, stdout, stderr := runLoom(t, "analyze", "-f", dr, "-f", p)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
				if line != "" {
					got = append(got, strings.TrimPrefix(line, dir+string(filepath.Separator)))
				}
			}
			if diff := cmp.Diff(tt.stdout, got); diff != "" || code != tt.code {
				t.Errorf("exit %d (want %d); stdout (-want +got):\n%s\nstderr: %s", code, tt.code, diff, stderr)
			}
		})
	}
}

func TestAnalyzeDirectoryAndUsage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dr.yaml"), []byte("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\nspec: {host: reviews}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"directory", []string{"analyze", dir}, 0, "loom analyze: 0 errors, 0 warnings; 1 object valid from 1 file\n"},
		{"nothing to read", []string{"analyze"}, 2, "loom: name a config directory (loom analyze DIR) or files (-f FILE)\n"},
		{"both", []string{"analyze", dir, "-f", "x.yaml"}, 2, "loom: give a directory or -f files, not both\n"},
		{"missing directory", []string{"analyze", filepath.Join(dir, "nope")}, 1, "loom: config directory: stat " + filepath.Join(dir, "nope") + ": no such file or directory\n"},
		{"missing file", []string{"analyze", "-f", filepath.Join(dir, "nope.yaml")}, 1, "loom analyze: 1 error, 0 warnings; 0 objects valid from 1 file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runLoom(t, tt.args...)
			if code != tt.code || stderr != tt.stderr {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestAnalyzeRunsGeneratorWarnings: `loom analyze` reports what the xDS
// generator does not act on yet, as the control plane does.
func TestAnalyzeRunsGeneratorWarnings(t *testing.T) {
	code, stdout, _ := runLoom(t, "analyze", "-f", filepath.Join(bookinfo, "destination-rule-all-mtls.yaml"))
	want := filepath.Join(bookinfo, "destination-rule-all-mtls.yaml") + "#1: warning: DestinationRule default/reviews: spec.trafficPolicy.tls: "
	if code != 0 || !strings.Contains(stdout, want) {
		t.Errorf("exit %d, stdout:\n%s\nwant a line starting %q", code, stdout, want)
	}
}

// TestAnalyzeRunsPushAnalysis: for a local-mode mesh (ServiceEntries and
// WorkloadEntries), `loom analyze` also reports what the control plane finds
// when it serves the config: unknown hosts, listeners nothing answers on.
func TestAnalyzeRunsPushAnalysis(t *testing.T) {
	dir := filepath.Join("testdata", "mesh-problems")
	code, stdout, _ := runLoom(t, "analyze", dir)
	routing := filepath.Join(dir, "routing.yaml")
	want := []string{
		routing + "#0: warning: VirtualService default/reviews: spec.hosts[1]: no service nowhere.default.svc.cluster.local is known; nothing is routed for it",
		routing + "#0: warning: VirtualService default/reviews: spec.http[0].route[0].destination.host: no service ghost.default.svc.cluster.local is known; requests routed there fail (503)",
		routing + "#1: warning: Sidecar default/client: spec.egress[0]: no imported service has port 9999; requests to listener 127.0.0.1_9999 are answered 404 (route not found)",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(stdout), "\n")); code != 0 || diff != "" {
		t.Errorf("exit %d, stdout (-want +got):\n%s", code, diff)
	}
}

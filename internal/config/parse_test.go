package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	networking "istio.io/api/networking/v1alpha3"
)

// samplesDir is the repo's copy of Istio's Bookinfo samples.
const samplesDir = "../../samples/istio-bookinfo"

func problemStrings(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

func keyStrings(objs []*Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Key.String()+" @ "+o.Source)
	}
	return out
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		objects  []string
		problems []string
	}{
		{
			name: "two documents, namespace defaults, v1alpha3 and v1",
			yaml: "apiVersion: networking.istio.io/v1alpha3\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r}\n" +
				"---\n# comment only\n---\n" +
				"apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, namespace: prod}\nspec: {hosts: [r]}\n---\n",
			objects: []string{"DestinationRule default/r @ f.yaml#0", "VirtualService prod/v @ f.yaml#1"},
		},
		{
			name:    "security v1beta1 and v1",
			yaml:    "apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {mtls: {mode: STRICT}}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {action: DENY}\n",
			objects: []string{"PeerAuthentication default/p @ f.yaml#0", "AuthorizationPolicy default/a @ f.yaml#1"},
		},
		{
			name:     "unknown field named by its path",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - rout:\n    - destination: {host: reviews}\n",
			problems: []string{"VirtualService default/reviews: spec.http[0].rout: unknown field"},
		},
		{
			name: "every mistyped value reported",
			yaml: "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, labels: {version: 1}}\nspec:\n  hosts: reviews\n  http:\n  - retries: {attempts: x, perTryTimeout: 5}\n    match:\n    - uri: {exact: a, prefix: b}\n      port: -1\n",
			problems: []string{
				"VirtualService default/v: metadata.labels.version: must be a string, not 1 (quote it)",
				"VirtualService default/v: spec.hosts: must be a list, not a string",
				"VirtualService default/v: spec.http[0].match[0].port: -1 is out of range 0..4294967295",
				"VirtualService default/v: spec.http[0].match[0].uri.prefix: only one of exact and prefix may be set",
				`VirtualService default/v: spec.http[0].retries.attempts: must be an integer, not "x"`,
				"VirtualService default/v: spec.http[0].retries.perTryTimeout: must be a duration string like 10s or 500ms, not 5",
			},
		},
		{
			name:     "bad enum",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r, trafficPolicy: {tls: {mode: MUTUAL_TLS}}}\n",
			problems: []string{"DestinationRule default/r: spec.trafficPolicy.tls.mode: invalid value \"MUTUAL_TLS\": must be one of DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL"},
		},
		{
			name:     "bad YAML names the file and the line",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: [v\n",
			objects:  []string{"DestinationRule default/r @ f.yaml#0"},
			problems: []string{"f.yaml#1: invalid YAML: yaml: line 9: did not find expected ',' or ']'"},
		},
		{
			name:     "a duplicate key is an error, not a silent last-wins",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: r}\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [r]\n  hosts: [s]\n",
			objects:  []string{"DestinationRule default/r @ f.yaml#0"},
			problems: []string{`f.yaml#1: invalid YAML: yaml: line 11: key "hosts" already set in map`},
		},
		{
			name:     "unknown kind and unknown version are warnings",
			yaml:     "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\n",
			problems: []string{"warning: f.yaml#0: kind: Service (v1) is not a kind Loom reads; ignored", "warning: f.yaml#1: kind: VirtualService: apiVersion networking.istio.io/v2 is not one Loom reads (use networking.istio.io/v1); ignored"},
		},
		{
			name:     "missing header fields",
			yaml:     "kind: VirtualService\n---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {namespace: x}\n---\n- a\n",
			problems: []string{"f.yaml#0: apiVersion: required string, e.g. networking.istio.io/v1", "VirtualService /: metadata.name: required string", "f.yaml#2: document must be a mapping with apiVersion, kind, metadata and spec, not a list"},
		},
		{
			name:     "unknown top-level and metadata fields",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, uid: abc, color: red}\nspek: {}\n",
			problems: []string{"Sidecar default/s: metadata.color: unknown field"},
		},
		{
			name:    "status and kubectl metadata are ignored",
			yaml:    "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, uid: abc, resourceVersion: '1', creationTimestamp: '2024-01-01T00:00:00Z'}\nspec: {}\nstatus: {observedGeneration: 1}\n",
			objects: []string{"Sidecar default/s @ f.yaml#0"},
		},
		{
			name:     "kind List",
			yaml:     "apiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.istio.io/v1\n  kind: Gateway\n  metadata: {name: g}\n  spec: {}\n- apiVersion: networking.istio.io/v1\n  kind: Gateway\n  metadata: {name: h}\n  spek: {}\n",
			objects:  []string{"Gateway default/g @ f.yaml#0"},
			problems: []string{"Gateway default/h: items[1].spek: unknown field"},
		},
		{
			name:     "legacy abort percent is read as percentage",
			yaml:     "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [r]\n  http:\n  - fault: {abort: {percent: 100, httpStatus: 500}}\n    route: [{destination: {host: r}}]\n",
			objects:  []string{"VirtualService default/v @ f.yaml#0"},
			problems: []string{"warning: VirtualService default/v: spec.http[0].fault.abort.percent: deprecated; read as percentage.value: 100"},
		},
		{
			name: "empty input",
			yaml: "\n---\n---\n# nothing\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, problems := ParseBytes("f.yaml", []byte(tt.yaml))
			if diff := cmp.Diff(tt.objects, keyStrings(objs)); diff != "" {
				t.Errorf("objects (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.problems, problemStrings(problems)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDurationsAndPercentages(t *testing.T) {
	yaml := "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [r]\n  http:\n  - timeout: 1m30s\n    retries: {attempts: 3, perTryTimeout: 250ms}\n    fault: {delay: {percent: 50, fixedDelay: 7s}}\n    route: [{destination: {host: r}}]\n"
	objs, _ := ParseBytes("f.yaml", []byte(yaml))
	if len(objs) != 1 {
		t.Fatalf("got %d objects, want 1", len(objs))
	}
	route := objs[0].Spec.(*networking.VirtualService).GetHttp()[0]
	got := []any{
		route.GetTimeout().AsDuration(), route.GetRetries().GetPerTryTimeout().AsDuration(),
		route.GetFault().GetDelay().GetFixedDelay().AsDuration(), route.GetFault().GetDelay().GetPercentage().GetValue(),
	}
	want := []any{90 * time.Second, 250 * time.Millisecond, 7 * time.Second, 50.0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseRevision(t *testing.T) {
	doc := func(weight string) []byte {
		return []byte("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [r]\n  http: [{route: [{destination: {host: r}, weight: " + weight + "}]}]\n")
	}
	a1, _ := ParseBytes("a.yaml", doc("100"))
	a2, _ := ParseBytes("b.yaml", doc("100"))
	b, _ := ParseBytes("a.yaml", doc("90"))
	if a1[0].Revision != a2[0].Revision {
		t.Errorf("same content, different revisions: %s, %s", a1[0].Revision, a2[0].Revision)
	}
	if a1[0].Revision == b[0].Revision {
		t.Errorf("different content, same revision %s", b[0].Revision)
	}
}

// TestParseBookinfoSamples: each sample, alone, parses and passes every
// per-object rule (cross-object checks are in TestLoadBookinfoSamples).
func TestParseBookinfoSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	if err != nil || len(files) != 11 {
		t.Fatalf("want the 11 Bookinfo samples in %s, got %d (%v)", samplesDir, len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			objs, problems := ParseBytes(f, data)
			for _, o := range objs {
				problems = append(problems, ValidateObject(o)...)
			}
			if hasError(problems) || len(objs) == 0 {
				t.Errorf("got %d objects, problems %v", len(objs), problemStrings(problems))
			}
		})
	}
}

package config

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseBytes feeds arbitrary bytes through parsing, validation and the
// analyzers: no input may panic, and what comes out must be well formed.
func FuzzParseBytes(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "---", "kind: List\napiVersion: v1\nitems: [1, {kind: Gateway}]",
		route("match: [{uri: {regex: '(a'}}], route: [{destination: {host: reviews}, weight: 150}]"),
		se("{hosts: [a.example.com], ports: [{number: 80, name: http}], resolution: DNS, endpoints: [{address: 'unix://x'}]}"),
		sidecar("s", "{ingress: [{port: {number: 1}, defaultEndpoint: '[::1]:x'}], egress: [{hosts: ['./*']}]}"),
		"a: &a [*a, *a]\n", "spec: {http: [{timeout: -5s}]}\nkind: VirtualService\napiVersion: networking.istio.io/v1\nmetadata: {name: x}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, problems := ParseBytes("fuzz.yaml", data)
		for _, o := range objs {
			if o.Kind == "" || o.Name == "" || o.Namespace == "" || o.Spec == nil || o.Revision == "" {
				t.Fatalf("malformed object %+v", o)
			}
			problems = append(problems, ValidateObject(o)...)
		}
		for _, p := range problems {
			if p.Reason == "" {
				t.Fatalf("problem without a reason: %+v", p)
			}
		}
		Loader{}.LoadBytes("fuzz.yaml", data)
	})
}

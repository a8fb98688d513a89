package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const reviewsDR = "{host: reviews, subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]}"

func TestAnalyzeSubsets(t *testing.T) {
	vsTo := func(ns, host, subset string) string {
		return fmt.Sprintf("---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews, namespace: %s}\nspec: {hosts: [reviews], http: [{route: [{destination: {host: %s, subset: %s}}]}]}\n", ns, host, subset)
	}
	runValidationCases(t, []validationCase{
		{"defined subset", dr(reviewsDR) + vsTo("default", "reviews", "v2"), nil},
		{"unknown subset", dr(reviewsDR) + vsTo("default", "reviews", "v9"),
			[]string{`VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v9" is not defined by any DestinationRule for host reviews.default.svc.cluster.local`}},
		{"no DestinationRule at all: accepted with a warning, as a VirtualService analyzed alone", vsTo("default", "reviews", "v1"),
			[]string{`warning: VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v1": no DestinationRule for host reviews.default.svc.cluster.local is known, so requests routed here fail (503) until one defines it`}},
		{"short name and FQDN are one host", dr(reviewsDR) + vsTo("default", "reviews.default.svc.cluster.local", "v1"), nil},
		{"short names resolve in the object's namespace", dr(reviewsDR) + vsTo("prod", "reviews", "v1"),
			[]string{`warning: VirtualService prod/reviews: spec.http[0].route[0].destination.subset: subset "v1": no DestinationRule for host reviews.prod.svc.cluster.local is known, so requests routed here fail (503) until one defines it`}},
		{"names with a dot are taken as written", dr(reviewsDR) + vsTo("default", "reviews.default", "v1"),
			[]string{`warning: VirtualService default/reviews: spec.http[0].route[0].destination.subset: subset "v1": no DestinationRule for host reviews.default is known, so requests routed here fail (503) until one defines it`}},
		{"wildcard DestinationRule", obj("DestinationRule", "all", "{host: '*.default.svc.cluster.local', subsets: [{name: v1, labels: {version: v1}}]}") + vsTo("default", "reviews", "v1"), nil},
		{"tcp and mirror destinations", dr(reviewsDR) + vs("{hosts: [reviews], http: [{route: [{destination: {host: reviews, subset: v1}}], mirror: {host: reviews, subset: v3}}], tcp: [{route: [{destination: {host: reviews, subset: v4}}]}]}"),
			[]string{
				`VirtualService default/reviews: spec.http[0].mirror.subset: subset "v3" is not defined by any DestinationRule for host reviews.default.svc.cluster.local`,
				`VirtualService default/reviews: spec.tcp[0].route[0].destination.subset: subset "v4" is not defined by any DestinationRule for host reviews.default.svc.cluster.local`,
			}},
	})
}

func TestAnalyzeGatewayRefs(t *testing.T) {
	gateway := gw("{selector: {istio: ingressgateway}, servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}]}")
	runValidationCases(t, []validationCase{
		{"present", gateway + vs("{hosts: ['*'], gateways: [gw, default/gw], http: [{"+toReviews+"}]}"), nil},
		{"missing", vs("{hosts: [reviews], gateways: [mesh, other], http: [{" + toReviews + "}]}"),
			[]string{"warning: VirtualService default/reviews: spec.gateways[1]: gateway default/other not found; these routes apply to no gateway until it exists"}},
	})
}

func TestAnalyzerRejectsOnlyOnError(t *testing.T) {
	flagged := func(sev Severity) Analyzer {
		return func(s *Snapshot) []Problem {
			var ps []Problem
			for _, o := range s.List(KindVirtualService) {
				ps = append(ps, Problem{Key: o.Key, Field: "spec.http[0].mirror", Reason: "not supported yet", Severity: sev})
			}
			return ps
		}
	}
	data := []byte(route(toReviews))
	warned := Loader{Analyzers: []Analyzer{flagged(SeverityWarning)}}.LoadBytes("t.yaml", data)
	rejected := Loader{Analyzers: []Analyzer{flagged(SeverityError)}}.LoadBytes("t.yaml", data)
	got := []any{len(warned.List(KindVirtualService)), problemStrings(warned.Problems), len(rejected.List(KindVirtualService)), problemStrings(rejected.Problems)}
	want := []any{
		1, []string{"warning: VirtualService default/reviews: spec.http[0].mirror: not supported yet"},
		0, []string{"VirtualService default/reviews: spec.http[0].mirror: not supported yet"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if src := warned.Problems[0].Source; src != "t.yaml#0" {
		t.Errorf("analyzer problem source = %q, want the object's t.yaml#0", src)
	}
}

func TestLoadDuplicates(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.yaml", route("route: [{destination: {host: b}}]"))
	write("a.yaml", route("route: [{destination: {host: a}}]"))
	snap, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := snap.Get(Key{Kind: KindVirtualService, Namespace: "default", Name: "reviews"})
	if o == nil || o.Source != filepath.Join(dir, "a.yaml")+"#0" {
		t.Fatalf("winner = %+v, want the object of a.yaml", o)
	}
	want := []string{fmt.Sprintf("VirtualService default/reviews: defined again; the definition in %s#0 is used and this one is ignored", filepath.Join(dir, "a.yaml"))}
	if diff := cmp.Diff(want, problemStrings(snap.Problems)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestLoadDirectory(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"dr.yaml":             dr(reviewsDR),
		"sub/deeper/vs.yml":   route("route: [{destination: {host: reviews, subset: v1}}]"),
		"notes.txt":           "not yaml: [",
		".hidden.yaml":        "bad: [",
		".git/config.yaml":    "bad: [",
		"sub/broken.yaml":     "kind: [",
		"sub/deeper/empty.ym": "",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{keyStrings(snap.List(KindDestinationRule)), keyStrings(snap.List(KindVirtualService)), problemStrings(snap.Problems)}
	want := []any{
		[]string{"DestinationRule default/reviews @ " + filepath.Join(dir, "dr.yaml#0")},
		[]string{"VirtualService default/reviews @ " + filepath.Join(dir, "sub/deeper/vs.yml#0")},
		[]string{filepath.Join(dir, "sub/broken.yaml#0") + ": invalid YAML: yaml: line 1: did not find expected node content"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Error("Load of a missing directory: want an error")
	}
}

func TestLoadBookinfoSamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.yaml"))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			// Istio applies these on top of destination-rule-all.yaml; read them the same way.
			snap := LoadFiles(filepath.Join(samplesDir, "destination-rule-all.yaml"), f)
			if strings.HasPrefix(filepath.Base(f), "destination-rule") {
				snap = LoadFiles(f)
			}
			for _, p := range snap.Problems {
				if p.Severity == SeverityError {
					t.Errorf("error: %s (%s)", p, p.Source)
				}
			}
		})
	}
}

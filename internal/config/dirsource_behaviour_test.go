package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestDirSourceRewriteReachesSnapshot(t *testing.T) {
	rs := startDirSource(t, map[string]string{"dr.yaml": dr(reviewsDR), "vs.yaml": split("80", "20")})
	first := rs.next("80/20", weightsAre(80, 20))
	if first.Version != 1 || len(first.Problems) != 0 {
		t.Fatalf("first snapshot: version %d, problems %v", first.Version, problemStrings(first.Problems))
	}
	start := time.Now()
	rs.write("vs.yaml", split("0", "100"))
	s := rs.next("0/100", weightsAre(0, 100))
	t.Logf("rewrite to snapshot: %s", time.Since(start))
	if s.Version != 2 {
		t.Errorf("version = %d, want 2", s.Version)
	}
	if s.Get(Key{Kind: KindDestinationRule, Namespace: "default", Name: "reviews"}) != first.Get(Key{Kind: KindDestinationRule, Namespace: "default", Name: "reviews"}) {
		t.Error("the unchanged DestinationRule is a new object; want the same one")
	}
	rs.write("vs.yaml", split("0", "100")) // same content: nothing to publish
	rs.quiet(200 * time.Millisecond)
}

func TestDirSourceKeepsLastGoodVersion(t *testing.T) {
	rs := startDirSource(t, map[string]string{"dr.yaml": dr(reviewsDR), "vs.yaml": split("80", "20")})
	rs.next("80/20", weightsAre(80, 20))

	rs.write("vs.yaml", split("150", "20"))
	s := rs.next("the weight problem", func(s *Snapshot) bool { return len(s.Problems) > 0 })
	if !weightsAre(80, 20)(s) || !hasProblem(s, "VirtualService default/reviews: spec.http[0].route[0].weight: must be between 0 and 100") {
		t.Errorf("weights %v, problems %v; want 80/20 kept and the weight problem", reviewsWeights(s), problemStrings(s.Problems))
	}

	rs.write("vs.yaml", split("80", "20")+"\n---\nkind: [\n")
	s = rs.next("the YAML problem", func(s *Snapshot) bool { return len(s.Problems) == 2 })
	wantYAML := rs.path("vs.yaml") + "#1: invalid YAML: yaml: line 8: did not find expected node content (the file's previous content stays in service)"
	if !weightsAre(80, 20)(s) || !hasProblem(s, wantYAML) {
		t.Errorf("weights %v, problems %v after bad YAML; want 80/20 kept and %q", reviewsWeights(s), problemStrings(s.Problems), wantYAML)
	}

	rs.write("vs.yaml", strings.Replace(split("50", "50"), "subset: v2", "subset: v9", 1))
	s = rs.next("the subset problem", func(s *Snapshot) bool { return len(s.Problems) == 1 && s.Problems[0].Field != "" })
	want := `VirtualService default/reviews: spec.http[0].route[1].destination.subset: subset "v9" is not defined by any DestinationRule for host reviews.default.svc.cluster.local`
	if !weightsAre(80, 20)(s) || !hasProblem(s, want) {
		t.Errorf("weights %v, problems %v; want 80/20 kept and the subset problem", reviewsWeights(s), problemStrings(s.Problems))
	}

	rs.write("vs.yaml", split("10", "90"))
	s = rs.next("10/90", weightsAre(10, 90))
	if len(s.Problems) != 0 {
		t.Errorf("problems after the fix: %v", problemStrings(s.Problems))
	}
}

func TestDirSourceDeletesAndNewDirectories(t *testing.T) {
	rs := startDirSource(t, map[string]string{"dr.yaml": dr(reviewsDR), "vs.yaml": split("80", "20")})
	rs.next("80/20", weightsAre(80, 20))

	if err := os.Remove(rs.path("vs.yaml")); err != nil {
		t.Fatal(err)
	}
	rs.next("reviews removed", func(s *Snapshot) bool { return s.Get(reviewsKey) == nil })

	rs.write("new/deeper/vs.yml", split("30", "70"))
	s := rs.next("30/70 from a new directory", weightsAre(30, 70))
	if src := s.Get(reviewsKey).Source; src != rs.path("new/deeper/vs.yml")+"#0" {
		t.Errorf("source = %s", src)
	}

	if err := os.RemoveAll(rs.path("new")); err != nil {
		t.Fatal(err)
	}
	rs.next("reviews removed with its directory", func(s *Snapshot) bool { return s.Get(reviewsKey) == nil })
}

func TestDirSourceAtomicRenameAndTruncate(t *testing.T) {
	rs := startDirSource(t, map[string]string{"dr.yaml": dr(reviewsDR), "vs.yaml": split("80", "20")})
	rs.next("80/20", weightsAre(80, 20))

	// An editor's save: write a temporary file, rename it over the original.
	rs.write(".vs.yaml.tmp", split("60", "40"))
	if err := os.Rename(rs.path(".vs.yaml.tmp"), rs.path("vs.yaml")); err != nil {
		t.Fatal(err)
	}
	rs.next("60/40 after rename", weightsAre(60, 40))

	// Truncate, pause, write: the empty file in between must not remove reviews.
	f, err := os.OpenFile(rs.path("vs.yaml"), os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	if _, err := f.WriteString(split("20", "80")); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rs.next("20/80 after truncate and write", weightsAre(20, 80))
	for _, s := range rs.all {
		if s.Get(reviewsKey) == nil {
			t.Errorf("snapshot %d lost reviews during the rewrite", s.Version)
		}
	}

	// An empty file that stays empty does remove its objects, after a grace period.
	rs.write("vs.yaml", "")
	rs.next("reviews removed by an empty file", func(s *Snapshot) bool { return s.Get(reviewsKey) == nil })
}

func TestDirSourceKeepsConfigWhileDirectoryIsGone(t *testing.T) {
	rs := startDirSource(t, map[string]string{"dr.yaml": dr(reviewsDR), "sub/vs.yaml": split("80", "20")})
	rs.next("80/20", weightsAre(80, 20))

	if err := os.RemoveAll(rs.dir); err != nil {
		t.Fatal(err)
	}
	rs.quiet(400 * time.Millisecond)

	rs.write("dr.yaml", dr(reviewsDR))
	rs.write("vs.yaml", split("40", "60"))
	s := rs.next("40/60 from the recreated directory", weightsAre(40, 60))
	if src := s.Get(reviewsKey).Source; src != rs.path("vs.yaml")+"#0" {
		t.Errorf("source = %s, want the new vs.yaml", src)
	}
}

package config

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	networking "istio.io/api/networking/v1alpha3"
)

// watchTimeout bounds how long a test waits for a snapshot. The path is
// expected to take tens of milliseconds; the margin is for a loaded machine.
const watchTimeout = 5 * time.Second

// runningSource is a DirSource running on a temp directory, its snapshots
// collected in order.
type runningSource struct {
	t     *testing.T
	dir   string
	snaps chan *Snapshot
	all   []*Snapshot
	mu    sync.Mutex
}

func startDirSource(t *testing.T, files map[string]string) *runningSource {
	t.Helper()
	rs := &runningSource{t: t, dir: t.TempDir(), snaps: make(chan *Snapshot, 100)}
	for name, content := range files {
		rs.write(name, content)
	}
	ctx, cancel := context.WithCancel(context.Background())
	src := NewDirSource(rs.dir, slog.New(slog.NewTextHandler(io.Discard, nil)), WithDebounce(10*time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, func(s *Snapshot) { rs.snaps <- s }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return rs
}

func (rs *runningSource) path(name string) string { return filepath.Join(rs.dir, name) }

func (rs *runningSource) write(name, content string) {
	rs.t.Helper()
	p := rs.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		rs.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		rs.t.Fatal(err)
	}
}

// next waits for the next snapshot that satisfies ok and returns it.
func (rs *runningSource) next(what string, ok func(*Snapshot) bool) *Snapshot {
	rs.t.Helper()
	deadline := time.After(watchTimeout)
	for {
		select {
		case s := <-rs.snaps:
			rs.mu.Lock()
			rs.all = append(rs.all, s)
			rs.mu.Unlock()
			if ok(s) {
				return s
			}
		case <-deadline:
			rs.t.Fatalf("no snapshot with %s within %s", what, watchTimeout)
			return nil
		}
	}
}

// quiet asserts that no snapshot is published for a while.
func (rs *runningSource) quiet(d time.Duration) {
	rs.t.Helper()
	select {
	case s := <-rs.snaps:
		rs.t.Fatalf("unexpected snapshot %d: problems %v", s.Version, problemStrings(s.Problems))
	case <-time.After(d):
	}
}

var reviewsKey = Key{Kind: KindVirtualService, Namespace: "default", Name: "reviews"}

// reviewsWeights returns the weights of the reviews VirtualService's first route, or nil.
func reviewsWeights(s *Snapshot) []int32 {
	o := s.Get(reviewsKey)
	if o == nil {
		return nil
	}
	var w []int32
	for _, d := range o.Spec.(*networking.VirtualService).GetHttp()[0].GetRoute() {
		w = append(w, d.GetWeight())
	}
	return w
}

func weightsAre(want ...int32) func(*Snapshot) bool {
	return func(s *Snapshot) bool {
		got := reviewsWeights(s)
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}
}

func split(v1, v2 string) string {
	return route("route: [{destination: {host: reviews, subset: v1}, weight: " + v1 + "}, {destination: {host: reviews, subset: v2}, weight: " + v2 + "}]")
}

func hasProblem(s *Snapshot, text string) bool {
	for _, p := range s.Problems {
		if p.String() == text {
			return true
		}
	}
	return false
}

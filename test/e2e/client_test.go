package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

// result is one request to productpage, as the client saw it.
type result struct {
	sent, done time.Time
	endUser    string
	status     int
	reply      *sampleapp.Reply
	err        error
}

// failure says why a page did not fully serve, or "" when it did.
func (r result) failure() string {
	switch {
	case r.err != nil:
		return r.err.Error()
	case r.status != http.StatusOK:
		return fmt.Sprintf("HTTP %d", r.status)
	case len(r.reply.Failures()) > 0:
		return strings.Join(r.reply.Failures(), "; ")
	}
	return ""
}

func (r result) reviews() string {
	if r.reply == nil {
		return ""
	}
	return r.reply.ReviewsVersion()
}

// pageClient sends requests to one productpage URL over pooled keep-alive connections.
type pageClient struct {
	url  string
	http *http.Client
}

func newPageClient(t *testing.T, url string) *pageClient {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &pageClient{url: url, http: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

func (c *pageClient) get(ctx context.Context, endUser string) result {
	r := result{sent: time.Now(), endUser: endUser}
	defer func() { r.done = time.Now() }()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		r.err = err
		return r
	}
	if endUser != "" {
		req.Header.Set("end-user", endUser)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	r.status = resp.StatusCode
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.err = err
		return r
	}
	var reply sampleapp.Reply
	if err := json.Unmarshal(body, &reply); err != nil {
		r.err = fmt.Errorf("HTTP %d, body %q: %v", resp.StatusCode, truncate(string(body)), err)
		return r
	}
	r.reply = &reply
	r.done = time.Now()
	return r
}

// batch sends n requests, conc at a time; endUser(i) picks each one's header.
func (c *pageClient) batch(ctx context.Context, n, conc int, endUser func(int) string) []result {
	out := make([]result, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for i := range next {
				out[i] = c.get(ctx, endUser(i))
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func anyone(int) string { return "" }
func jason(int) string  { return "jason" }

// tally counts results by the reviews version that served them.
type tally struct {
	n         int
	byVersion map[string]int
	failures  []string
}

func tallyOf(rs []result) tally {
	t := tally{n: len(rs), byVersion: map[string]int{}}
	for _, r := range rs {
		if f := r.failure(); f != "" {
			t.failures = append(t.failures, f)
			continue
		}
		t.byVersion[r.reviews()]++
	}
	return t
}

func (t tally) share(version string) float64 { return float64(t.byVersion[version]) / float64(t.n) }

func (t tally) String() string {
	var parts []string
	for v, n := range t.byVersion {
		parts = append(parts, fmt.Sprintf("%s=%d (%.1f%%)", v, n, 100*float64(n)/float64(t.n)))
	}
	sort.Strings(parts)
	s := fmt.Sprintf("%d requests: %s", t.n, strings.Join(parts, " "))
	if len(t.failures) > 0 {
		s += fmt.Sprintf("; %d failed, first: %s", len(t.failures), t.failures[0])
	}
	return s
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// steadyLoad sends requests at a fixed rate until stopped and keeps every result.
type steadyLoad struct {
	client *pageClient
	rate   int
	user   func(int) string

	mu      sync.Mutex
	results []result
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func startLoad(c *pageClient, rate int, user func(int) string) *steadyLoad {
	l := &steadyLoad{client: c, rate: rate, user: user}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.wg.Go(func() { l.run(ctx) })
	return l
}

func (l *steadyLoad) run(ctx context.Context) {
	tick := time.NewTicker(time.Second / time.Duration(l.rate))
	defer tick.Stop()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		inflight.Go(func() {
			r := l.client.get(context.Background(), l.user(i))
			l.mu.Lock()
			l.results = append(l.results, r)
			l.mu.Unlock()
		})
	}
}

// stop ends the load, waits for requests in flight and returns all results sorted by send time.
func (l *steadyLoad) stop() []result {
	l.cancel()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	sort.Slice(l.results, func(i, j int) bool { return l.results[i].sent.Before(l.results[j].sent) })
	return l.results
}

// snapshot returns the results so far.
func (l *steadyLoad) snapshot() []result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]result(nil), l.results...)
}

func itoa(n int) string { return fmt.Sprint(n) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

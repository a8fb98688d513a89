package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

// maxInFlight bounds concurrent requests; past it the generator waits, and
// the achieved rate drops below the target (visible in the table).
const maxInFlight = 256

// Traffic sends GET URL at a fixed rate; JasonPercent of the requests carry
// `end-user: jason`, spread evenly.
type Traffic struct {
	URL          string
	Rate         int
	JasonPercent int
	Timeout      time.Duration
	Client       *http.Client

	mu    sync.Mutex
	stats ClientStats
}

// ClientStats are what the traffic generator saw.
type ClientStats struct {
	Sent   uint64 `json:"requests"`
	Failed uint64 `json:"errors"`
	Jason  uint64 `json:"end_user_jason"`
	// Reviews counts which reviews version served each successful page.
	Reviews   map[string]uint64 `json:"reviews_versions"`
	LastError string            `json:"last_error,omitempty"`
}

// Run sends requests until ctx ends, then waits for those in flight.
func (g *Traffic) Run(ctx context.Context) {
	interval := time.Second / time.Duration(g.Rate)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	defer wg.Wait()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		jason := (i+1)*g.JasonPercent/100 > i*g.JasonPercent/100
		wg.Go(func() {
			defer func() { <-sem }()
			version, err := g.send(context.WithoutCancel(ctx), jason)
			g.record(jason, version, err)
		})
	}
}

// send makes one request; it returns the reviews version that served it, or an error.
func (g *Traffic) send(ctx context.Context, jason bool) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, g.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("User-Agent", "loom-demo")
	if jason {
		req.Header.Set("end-user", "jason")
	}
	resp, err := g.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("reading body: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", resp.Status, truncate(string(body)))
	}
	var r sampleapp.Reply
	if err := json.Unmarshal(body, &r); err != nil {
		return "", fmt.Errorf("decoding reply: %w", err)
	}
	if f := r.Failures(); len(f) > 0 {
		return "", fmt.Errorf("degraded page: %s", f[0])
	}
	return r.ReviewsVersion(), nil
}

func (g *Traffic) record(jason bool, version string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stats.Sent++
	if jason {
		g.stats.Jason++
	}
	if err != nil {
		g.stats.Failed++
		g.stats.LastError = err.Error()
		return
	}
	if g.stats.Reviews == nil {
		g.stats.Reviews = map[string]uint64{}
	}
	g.stats.Reviews[version]++
}

// Stats returns a copy of the counts so far.
func (g *Traffic) Stats() ClientStats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	s.Reviews = maps.Clone(s.Reviews)
	return s
}

package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Scraper reads istio_* metrics from every proxy's admin /stats/prometheus.
type Scraper struct {
	Admins []string // host:port of each proxy's admin endpoint
	Client *http.Client
}

// Scrape fetches all proxies concurrently and sums their counts. A proxy that
// fails to answer is reported in the error; the others' counts are still returned.
func (s *Scraper) Scrape(ctx context.Context) (Totals, error) {
	results := make([][]Sample, len(s.Admins))
	errs := make([]error, len(s.Admins))
	var wg sync.WaitGroup
	for i, admin := range s.Admins {
		wg.Go(func() { results[i], errs[i] = s.scrapeOne(ctx, admin) })
	}
	wg.Wait()
	t := Totals{}
	for _, r := range results {
		t.addSamples(r)
	}
	return t, errors.Join(errs...)
}

func (s *Scraper) scrapeOne(ctx context.Context, admin string) ([]Sample, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	url := "http://" + admin + "/stats/prometheus"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scraping %s: %s", url, resp.Status)
	}
	samples, err := ParsePrometheus(resp.Body, keepIstio)
	if err != nil {
		return nil, fmt.Errorf("scraping %s: %w", url, err)
	}
	return samples, nil
}

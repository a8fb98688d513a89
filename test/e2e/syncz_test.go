package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// oneShot makes requests without keeping connections (and their goroutines) around.
var oneShot = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// proxySync is the part of the control plane's /debug/syncz this suite reads.
type proxySync struct {
	NodeID   string `json:"node_id"`
	Workload string `json:"workload"` // namespace/name
	Types    []struct {
		Type         string `json:"type"`
		State        string `json:"state"`
		SentVersion  string `json:"sent_version"`
		AckedVersion string `json:"acked_version"`
	} `json:"types"`
}

func syncz(ctx context.Context, cpAdmin string) ([]proxySync, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+cpAdmin+"/debug/syncz", nil)
	if err != nil {
		return nil, err
	}
	resp, err := oneShot.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/debug/syncz: %s", resp.Status)
	}
	var out []proxySync
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("/debug/syncz: %w", err)
	}
	return out, nil
}

// ackedVersion is the version of typ (LDS, RDS, CDS, EDS) the workload's proxy last ACKed.
func ackedVersion(st []proxySync, workload, typ string) string {
	for _, p := range st {
		if p.Workload != "default/"+workload {
			continue
		}
		for _, ty := range p.Types {
			if ty.Type == typ {
				return ty.AckedVersion
			}
		}
	}
	return ""
}

// allSynced reports the first proxy type not SYNCED, and checks want proxies are connected.
func allSynced(st []proxySync, want int) error {
	if len(st) != want {
		return fmt.Errorf("%d proxies connected, want %d", len(st), want)
	}
	for _, p := range st {
		for _, ty := range p.Types {
			if ty.State != "SYNCED" {
				return fmt.Errorf("%s %s: %s (sent %q, acked %q)", p.Workload, ty.Type, ty.State, ty.SentVersion, ty.AckedVersion)
			}
		}
	}
	return nil
}

// settled waits until every proxy has ACKed everything it was sent and nothing
// changed for quiet, so a config change has fully landed. It returns the
// time until the first moment of the final quiet period.
func settled(t *testing.T, cpAdmin string, proxies int, timeout, quiet time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	var since time.Time
	for time.Since(start) < timeout {
		st, err := syncz(context.Background(), cpAdmin)
		if err == nil {
			err = allSynced(st, proxies)
		}
		if err != nil {
			last, since = "", time.Time{}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		b, _ := json.Marshal(st)
		if string(b) != last {
			last, since = string(b), time.Now()
		} else if time.Since(since) >= quiet {
			return since.Sub(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	st, err := syncz(context.Background(), cpAdmin)
	t.Fatalf("proxies not settled after %v: %v %+v", timeout, err, st)
	return 0
}

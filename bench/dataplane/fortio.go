package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// loadResult is what one fortio run measured.
type loadResult struct {
	p50, p90, p99 time.Duration
	requests      int64
	errors        int64 // any answer but 200, and transport errors
}

type fortioJSON struct {
	DurationHistogram struct {
		Count       int64
		Percentiles []struct {
			Percentile float64
			Value      float64 // seconds
		}
	}
	RetCodes map[string]int64
}

// runFortio runs one fixed-rate load and parses fortio's JSON report.
func runFortio(ctx context.Context, o options, dir, label, url string, h2 bool, d time.Duration) (loadResult, error) {
	out := filepath.Join(dir, label+".json")
	args := []string{"load", "-qps", strconv.Itoa(o.qps), "-c", strconv.Itoa(o.conns),
		"-t", d.String(), "-r", "0.00001", "-p", "50,90,99", "-json", out, "-uniform"}
	if h2 {
		args = append(args, "-h2", "-stdclient")
	}
	args = append(args, url)
	cmd := exec.CommandContext(ctx, o.fortio, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return loadResult{}, fmt.Errorf("fortio %s: %w\n%s", label, err, tail(b, 2000))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return loadResult{}, err
	}
	var f fortioJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return loadResult{}, fmt.Errorf("fortio %s JSON: %w", label, err)
	}
	r := loadResult{requests: f.DurationHistogram.Count}
	for code, n := range f.RetCodes {
		if code != "200" {
			r.errors += n
		}
	}
	for _, p := range f.DurationHistogram.Percentiles {
		v := time.Duration(p.Value * float64(time.Second))
		switch p.Percentile {
		case 50:
			r.p50 = v
		case 90:
			r.p90 = v
		case 99:
			r.p99 = v
		}
	}
	return r, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

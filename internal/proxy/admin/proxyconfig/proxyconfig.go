// Package proxyconfig reads a proxy's configuration from its admin
// /config_dump — Loom's or a real Envoy's, both Envoy's admin JSON — and
// prints listeners, routes, clusters or endpoints as a table like istioctl
// proxy-config does, or as the raw resources in JSON.
package proxyconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Kinds of configuration proxy-config shows.
var Kinds = []string{"listeners", "routes", "clusters", "endpoints"}

// DefaultAdmin is the admin address when none is given.
const DefaultAdmin = "localhost:15000"

// Config is one proxy-config invocation.
type Config struct {
	Kind string // one of Kinds
	// Admin is the admin address, host:port or an http(s) URL.
	Admin string
	// Output is "table" (default) or "json".
	Output  string
	Timeout time.Duration
	Stdout  io.Writer
}

// Validate checks the kind and the output format.
func (c *Config) Validate() error {
	if !slices.Contains(Kinds, c.Kind) {
		return fmt.Errorf("%q: want one of %s", c.Kind, strings.Join(Kinds, ", "))
	}
	if c.Output != "" && c.Output != "table" && c.Output != "json" {
		return fmt.Errorf("-o %q: want table or json", c.Output)
	}
	if c.Stdout == nil {
		return errors.New("stdout: required")
	}
	return nil
}

// Run fetches the config dump and prints the requested kind.
func Run(ctx context.Context, cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	body, err := fetch(ctx, cfg)
	if err != nil {
		return err
	}
	dump, err := parseDump(body)
	if err != nil {
		return fmt.Errorf("%s: %w", dumpURL(cfg), err)
	}
	resources := dump.resources(cfg.Kind)
	if cfg.Output == "json" {
		return writeJSON(cfg.Stdout, resources)
	}
	return writeTable(cfg.Stdout, cfg.Kind, resources)
}

func dumpURL(cfg Config) string {
	base := cfg.Admin
	if base == "" {
		base = DefaultAdmin
	}
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	u := strings.TrimSuffix(base, "/") + "/config_dump"
	if cfg.Kind == "endpoints" {
		u += "?include_eds"
	}
	return u
}

func fetch(ctx context.Context, cfg Config) ([]byte, error) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := dumpURL(cfg)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("admin address %q: %w", cfg.Admin, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		first, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, first)
	}
	return body, nil
}

// writeJSON prints the resources as one JSON array, as the proxy sent them.
func writeJSON(w io.Writer, resources []json.RawMessage) error {
	if resources == nil {
		resources = []json.RawMessage{}
	}
	b, err := json.MarshalIndent(resources, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

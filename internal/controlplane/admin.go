package controlplane

import (
	"encoding/json"
	"net/http"

	"github.com/loom-mesh/loom/internal/xdsserver"
)

// adminHandler serves the control plane's admin endpoints.
func adminHandler(srv *xdsserver.Server, problems *problemLog) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if !srv.Ready() {
			http.Error(w, "not ready: configuration not loaded yet", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /debug/syncz", srv.SynczHandler())
	mux.Handle("GET /debug/connections", srv.ConnectionsHandler())
	mux.HandleFunc("GET /debug/configz", func(w http.ResponseWriter, _ *http.Request) {
		version, list := problems.snapshot()
		type problem struct {
			Object   string `json:"object,omitempty"`
			Source   string `json:"source,omitempty"`
			Field    string `json:"field,omitempty"`
			Reason   string `json:"reason"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
		}
		out := struct {
			ConfigVersion uint64    `json:"config_version"`
			Problems      []problem `json:"problems"`
		}{ConfigVersion: version, Problems: []problem{}}
		for _, p := range list {
			var obj string
			if p.Key.Kind != "" {
				obj = p.Key.String()
			}
			out.Problems = append(out.Problems, problem{obj, p.Source, p.Field, p.Reason, p.Severity.String(), p.String()})
		}
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	})
	return mux
}

package admin

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"google.golang.org/protobuf/proto"
)

const indexText = `Loom proxy admin
  /ready               200 once the first complete configuration is applied and served
  /config_dump         Envoy ConfigDump JSON (?resource=, ?include_eds, ?name_regex=)
  /stats               statistics (?format=prometheus)
  /stats/prometheus    statistics in Prometheus format
  /clusters            clusters and endpoints (?format=json)
  /listeners           listeners (?format=json)
  /healthcheck/fail    POST: fail readiness
  /healthcheck/ok      POST: restore readiness
  /drain_listeners     POST: drain listeners (?graceful, ?inboundonly)
  /quitquitquit        POST: exit
`

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.Error(w, "no admin endpoint "+r.URL.Path, http.StatusNotFound)
		return
	}
	writeText(w, http.StatusOK, indexText)
}

// ready answers 200 LIVE once the first complete configuration is applied,
// the data path serves it (every listener bound), and the proxy is neither
// draining nor failed by /healthcheck/fail.
func (s *Server) ready(w http.ResponseWriter, _ *http.Request) {
	if ok, reason := s.readiness(); !ok {
		writeText(w, http.StatusServiceUnavailable, reason+"\n")
		return
	}
	writeText(w, http.StatusOK, "LIVE\n")
}

func (s *Server) readiness() (bool, string) {
	switch {
	case s.draining.Load():
		return false, "DRAINING"
	case s.hcFailed.Load():
		return false, "FAILED: /healthcheck/fail was called"
	}
	st := s.opts.XDS.Status()
	if st.Synced {
		return s.dataPlaneReady()
	}
	reason := "INITIALIZING: waiting for the first complete configuration from " + st.ControlPlane
	switch {
	case len(st.Warming) > 0:
		reason += fmt.Sprintf(" (%d resources warming, e.g. %s)", len(st.Warming), st.Warming[0])
	case !st.Connected && st.LastError != "":
		reason += " (not connected: " + st.LastError + ")"
	}
	return false, reason
}

// dataPlaneReady asks the data path whether it serves the synced config.
func (s *Server) dataPlaneReady() (bool, string) {
	if s.opts.DataPlane == nil {
		return true, ""
	}
	if reason := s.opts.DataPlane.NotReady(); reason != "" {
		return false, reason
	}
	return true, ""
}

func (s *Server) configDumpHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := dumpRequest{includeEDS: q.Has("include_eds")}
	if expr := q.Get("name_regex"); expr != "" {
		re, err := regexp.Compile(expr)
		if err != nil {
			writeText(w, http.StatusBadRequest, fmt.Sprintf("name_regex %q: %v\n", expr, err))
			return
		}
		req.nameRegex = re
	}
	parts := s.dumpParts(req)
	if field := q.Get("resource"); field != "" {
		selected, err := selectResource(parts, field)
		if err != nil {
			writeText(w, resourceStatus(err), "resource "+err.Error()+"\n")
			return
		}
		parts = selected
	}
	dump, err := pack(parts)
	if err != nil {
		writeText(w, http.StatusInternalServerError, err.Error()+"\n")
		return
	}
	writeJSON(w, dump)
}

func resourceStatus(err error) int {
	if errors.Is(err, errNoResource) {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("format") == "prometheus" {
		s.prometheus(w, r)
		return
	}
	if s.opts.Stats == nil {
		writeText(w, http.StatusServiceUnavailable, "statistics are not available\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.opts.Stats.WriteText(w); err != nil {
		s.opts.Logger.Warn("admin: writing /stats", "err", err)
	}
}

func (s *Server) prometheus(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Stats == nil {
		writeText(w, http.StatusServiceUnavailable, "statistics are not available\n")
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.opts.Stats.WritePrometheus(w); err != nil {
		s.opts.Logger.Warn("admin: writing /stats/prometheus", "err", err)
	}
}

// post rejects anything but POST, as Envoy does for endpoints that change state.
func (s *Server) post(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeText(w, http.StatusMethodNotAllowed, "use POST for "+r.URL.Path+"\n")
			return
		}
		h(w, r)
	}
}

func (s *Server) healthcheckFail(w http.ResponseWriter, _ *http.Request) {
	s.hcFailed.Store(true)
	call(s.opts.OnHealthcheckFail)
	writeText(w, http.StatusOK, "OK\n")
}

func (s *Server) healthcheckOK(w http.ResponseWriter, _ *http.Request) {
	s.hcFailed.Store(false)
	call(s.opts.OnHealthcheckOK)
	writeText(w, http.StatusOK, "OK\n")
}

func (s *Server) drainListeners(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := DrainOptions{Graceful: q.Has("graceful"), InboundOnly: q.Has("inboundonly")}
	if s.opts.OnDrainListeners == nil {
		writeText(w, http.StatusNotImplemented, "draining is not wired in this proxy\n")
		return
	}
	if !opts.InboundOnly {
		s.draining.Store(true)
	}
	s.opts.OnDrainListeners(opts)
	writeText(w, http.StatusOK, "OK\n")
}

func (s *Server) quit(w http.ResponseWriter, _ *http.Request) {
	if s.opts.OnQuit == nil {
		writeText(w, http.StatusNotImplemented, "quit is not wired in this proxy\n")
		return
	}
	writeText(w, http.StatusOK, "OK\n")
	s.opts.OnQuit()
}

func call(f func()) {
	if f != nil {
		f()
	}
}

func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_, _ = strings.NewReader(body).WriteTo(w)
}

func writeJSON(w http.ResponseWriter, m proto.Message) {
	b, err := MarshalJSON(m)
	if err != nil {
		writeText(w, http.StatusInternalServerError, err.Error()+"\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(append(b, '\n'))
}

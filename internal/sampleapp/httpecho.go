package sampleapp

import (
	"io"
	"net/http"
	"strconv"
)

// httpEcho answers any request with a Reply describing it. `?status=N` picks
// the status code. With connClose set, every answer carries `Connection: close`.
type httpEcho struct {
	cfg *Config
}

func (e *httpEcho) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		http.Error(w, "reading body: "+err.Error(), http.StatusBadRequest)
		return
	}
	status := http.StatusOK
	if s := r.URL.Query().Get("status"); s != "" {
		if status, err = strconv.Atoi(s); err != nil || status < 200 || status > 599 {
			http.Error(w, "status: must be 200..599", http.StatusBadRequest)
			return
		}
	}
	if e.cfg.ConnectionClose {
		w.Header().Set("Connection", "close")
	}
	out := &Reply{
		Service:   e.cfg.Name,
		Version:   e.cfg.Version,
		EndUser:   r.Header.Get("end-user"),
		RequestID: r.Header.Get("x-request-id"),
		Content: map[string]any{
			"method": r.Method, "path": r.URL.RequestURI(), "host": r.Host,
			"proto": r.Proto, "body_bytes": n,
		},
	}
	writeJSON(w, status, out)
}

package xdsserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"
)

// SynczHandler serves Status as JSON: every connected proxy with, per type,
// the version sent and ACKed and the last NACK.
func (s *Server) SynczHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(s.Status())
	})
}

// ConnectionsHandler serves Status as a text table, one line per proxy.
func (s *Server) ConnectionsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		writeConnections(w, s.Status(), time.Now())
	})
}

func writeConnections(w http.ResponseWriter, proxies []ProxyStatus, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tWORKLOAD\tPROTOCOL\tCONNECTED\tCDS\tEDS\tLDS\tRDS\tLAST NACK")
	for _, p := range proxies {
		proto := "sotw"
		if p.Delta {
			proto = "delta"
		}
		cells := map[string]string{}
		var nack string
		for _, t := range p.Types {
			cells[t.Type] = fmt.Sprintf("%s %s", t.State, abbrev(t.AckedVersion))
			if t.LastNACK != nil {
				nack = fmt.Sprintf("%s: %s", t.Type, t.LastNACK.Message)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.NodeID, p.Workload, proto,
			now.Sub(p.ConnectedSince).Round(time.Second), cell(cells, "CDS"), cell(cells, "EDS"),
			cell(cells, "LDS"), cell(cells, "RDS"), oneLine(nack))
	}
	_ = tw.Flush()
}

func cell(cells map[string]string, t string) string {
	if c, ok := cells[t]; ok {
		return strings.TrimSpace(c)
	}
	return "-"
}

func abbrev(version string) string {
	if len(version) > 8 {
		return version[:8]
	}
	return version
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

package xdsserver

import (
	"sort"
	"time"

	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

// ProxyStatus is what /debug/syncz shows for one connected proxy.
type ProxyStatus struct {
	NodeID         string       `json:"node_id"`
	Workload       string       `json:"workload"` // namespace/name
	Delta          bool         `json:"delta"`
	ConnectedSince time.Time    `json:"connected_since"`
	Types          []TypeStatus `json:"types"`
}

// TypeStatus is one type's sync state on one stream.
type TypeStatus struct {
	Type         string `json:"type"` // CDS, EDS, LDS, RDS or the type URL
	TypeURL      string `json:"type_url"`
	State        string `json:"state"` // SYNCED, NACKED, STALE (sent, not ACKed yet) or NOT SENT
	Resources    int    `json:"resources"`
	SentVersion  string `json:"sent_version,omitempty"`
	SentNonce    string `json:"sent_nonce,omitempty"`
	AckedVersion string `json:"acked_version,omitempty"`
	LastNACK     *NACK  `json:"last_nack,omitempty"`
}

// Sync states.
const (
	StateSynced  = "SYNCED"
	StateNACKed  = "NACKED"
	StateStale   = "STALE"
	StateNotSent = "NOT SENT"
)

// Status describes every identified proxy, sorted by node id.
func (s *Server) Status() []ProxyStatus {
	s.mu.RLock()
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.RUnlock()
	out := make([]ProxyStatus, 0, len(conns))
	for _, c := range conns {
		if st, ok := c.status(); ok {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].NodeID != out[j].NodeID {
			return out[i].NodeID < out[j].NodeID
		}
		return out[i].ConnectedSince.Before(out[j].ConnectedSince)
	})
	return out
}

func (c *conn) status() (ProxyStatus, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proxy == nil {
		return ProxyStatus{}, false
	}
	st := ProxyStatus{
		NodeID:         c.nodeID,
		Workload:       c.proxy.ID.Namespace + "/" + c.proxy.Workload,
		Delta:          c.delta,
		ConnectedSince: c.since,
	}
	for _, t := range c.orderedTypes() {
		ts := c.types[t]
		st.Types = append(st.Types, TypeStatus{
			Type:         shortType(t),
			TypeURL:      t,
			State:        ts.state(),
			Resources:    len(c.resources[t]),
			SentVersion:  ts.sentVersion,
			SentNonce:    ts.sentNonce,
			AckedVersion: ts.ackedVersion,
			LastNACK:     ts.lastNACK,
		})
	}
	return st, true
}

func (ts *typeState) state() string {
	switch {
	case ts.sentNonce == "":
		return StateNotSent
	case ts.lastNACK != nil && ts.lastNACK.Nonce == ts.sentNonce:
		return StateNACKed
	case ts.ackedVersion == ts.sentVersion && !ts.ackedAt.Before(ts.sentAt):
		return StateSynced
	default:
		return StateStale
	}
}

// shortType names a type URL the way operators say it.
func shortType(typeURL string) string {
	switch typeURL {
	case resource.ClusterType:
		return "CDS"
	case resource.EndpointType:
		return "EDS"
	case resource.ListenerType:
		return "LDS"
	case resource.RouteType:
		return "RDS"
	case resource.SecretType:
		return "SDS"
	default:
		return typeURL
	}
}

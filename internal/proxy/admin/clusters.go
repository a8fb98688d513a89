package admin

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	adminv3 "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/loom-mesh/loom/internal/proxy/cluster"
	"github.com/loom-mesh/loom/internal/proxy/snapshot"
)

// clusters serves Envoy's /clusters: `cluster::host::field::value` lines, or
// envoy.admin.v3.Clusters with ?format=json. It reads the published
// snapshot, so it shows what the data path uses.
func (s *Server) clusters(w http.ResponseWriter, r *http.Request) {
	statuses := clusterStatuses(s.opts.XDS.Snapshot())
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, &adminv3.Clusters{ClusterStatuses: statuses})
		return
	}
	var b strings.Builder
	for _, cs := range statuses {
		writeClusterText(&b, cs)
	}
	writeText(w, http.StatusOK, b.String())
}

func clusterStatuses(snap *snapshot.Snapshot) []*adminv3.ClusterStatus {
	if snap == nil {
		return nil
	}
	var out []*adminv3.ClusterStatus
	for _, name := range slices.Sorted(maps.Keys(snap.Clusters)) {
		c := snap.Clusters[name]
		eps := c.Endpoints
		if c.Discovery == cluster.EDS {
			eps = snap.Endpoints[c.EDSServiceName]
		}
		out = append(out, &adminv3.ClusterStatus{
			Name: name, ObservabilityName: name, AddedViaApi: true, EdsServiceName: c.EDSServiceName,
			CircuitBreakers: &clusterv3.CircuitBreakers{Thresholds: []*clusterv3.CircuitBreakers_Thresholds{{
				MaxConnections:     wrapperspb.UInt32(c.Limits.MaxConnections),
				MaxPendingRequests: wrapperspb.UInt32(c.Limits.MaxPendingRequests),
				MaxRequests:        wrapperspb.UInt32(c.Limits.MaxRequests),
				MaxRetries:         wrapperspb.UInt32(c.Limits.MaxRetries),
			}}},
			HostStatuses: hostStatuses(eps),
		})
	}
	return out
}

func hostStatuses(eps *cluster.Endpoints) []*adminv3.HostStatus {
	if eps == nil {
		return nil
	}
	var out []*adminv3.HostStatus
	for _, loc := range eps.Localities {
		for _, e := range loc.Endpoints {
			health := corev3.HealthStatus_HEALTHY
			if !e.Healthy {
				health = corev3.HealthStatus_UNHEALTHY
			}
			out = append(out, &adminv3.HostStatus{
				Address:      hostAddress(e),
				Hostname:     e.Hostname,
				HealthStatus: &adminv3.HostHealthStatus{EdsHealthStatus: health},
				Weight:       e.Weight,
				Priority:     loc.Priority,
				Locality:     &corev3.Locality{Region: loc.Region, Zone: loc.Zone, SubZone: loc.SubZone},
			})
		}
	}
	return out
}

func hostAddress(e cluster.Endpoint) *corev3.Address {
	host, port := e.Hostname, uint32(e.Port)
	if e.Addr.IsValid() {
		host, port = e.Addr.Addr().String(), uint32(e.Addr.Port())
	}
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address: host, PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

func writeClusterText(b *strings.Builder, cs *adminv3.ClusterStatus) {
	line := func(parts ...string) { b.WriteString(strings.Join(parts, "::") + "\n") }
	n := cs.GetName()
	line(n, "observability_name", cs.GetObservabilityName())
	t := cs.GetCircuitBreakers().GetThresholds()[0]
	line(n, "default_priority", "max_connections", u32(t.GetMaxConnections().GetValue()))
	line(n, "default_priority", "max_pending_requests", u32(t.GetMaxPendingRequests().GetValue()))
	line(n, "default_priority", "max_requests", u32(t.GetMaxRequests().GetValue()))
	line(n, "default_priority", "max_retries", u32(t.GetMaxRetries().GetValue()))
	line(n, "added_via_api", "true")
	if svc := cs.GetEdsServiceName(); svc != "" {
		line(n, "eds_service_name", svc)
	}
	for _, h := range cs.GetHostStatuses() {
		sa := h.GetAddress().GetSocketAddress()
		host := joinHostPort(sa.GetAddress(), sa.GetPortValue())
		flags := "healthy"
		if h.GetHealthStatus().GetEdsHealthStatus() != corev3.HealthStatus_HEALTHY {
			flags = "/failed_eds_health"
		}
		line(n, host, "hostname", h.GetHostname())
		line(n, host, "health_flags", flags)
		line(n, host, "weight", u32(h.GetWeight()))
		line(n, host, "region", h.GetLocality().GetRegion())
		line(n, host, "zone", h.GetLocality().GetZone())
		line(n, host, "sub_zone", h.GetLocality().GetSubZone())
		line(n, host, "canary", "false")
		line(n, host, "priority", u32(h.GetPriority()))
	}
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func joinHostPort(host string, port uint32) string {
	if strings.Contains(host, ":") {
		return fmt.Sprintf("[%s]:%d", host, port)
	}
	return fmt.Sprintf("%s:%d", host, port)
}

// listeners serves Envoy's /listeners: `name::address` lines, or
// envoy.admin.v3.Listeners with ?format=json.
func (s *Server) listeners(w http.ResponseWriter, r *http.Request) {
	snap := s.opts.XDS.Snapshot()
	var statuses []*adminv3.ListenerStatus
	var b strings.Builder
	if snap != nil {
		for _, name := range slices.Sorted(maps.Keys(snap.Listeners)) {
			addr := snap.Listeners[name].Address
			statuses = append(statuses, &adminv3.ListenerStatus{Name: name, LocalAddress: &corev3.Address{
				Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
					Address: addr.Addr().String(), PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: uint32(addr.Port())},
				}}}})
			b.WriteString(name + "::" + addr.String() + "\n")
		}
	}
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, &adminv3.Listeners{ListenerStatuses: statuses})
		return
	}
	writeText(w, http.StatusOK, b.String())
}

package proxyconfig

import (
	"fmt"
	"strconv"
	"strings"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpproxyv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/proto"

	"github.com/loom-mesh/loom/internal/xdsmeta"
)

func listenerRows(msgs []proto.Message) [][]string {
	var rows [][]string
	for _, m := range msgs {
		l, ok := m.(*listenerv3.Listener)
		if !ok {
			continue
		}
		sa := l.GetAddress().GetSocketAddress()
		addr, port := orDash(sa.GetAddress()), strconv.FormatUint(uint64(sa.GetPortValue()), 10)
		for _, fc := range l.GetFilterChains() {
			rows = append(rows, []string{addr, port, l.GetTrafficDirection().String(), destination(fc)})
		}
		if len(l.GetFilterChains()) == 0 {
			rows = append(rows, []string{addr, port, l.GetTrafficDirection().String(), "-"})
		}
	}
	return rows
}

// destination describes where a filter chain's last (terminal) filter sends
// traffic.
func destination(fc *listenerv3.FilterChain) string {
	fs := fc.GetFilters()
	if len(fs) == 0 {
		return "-"
	}
	f := fs[len(fs)-1]
	var hcm hcmv3.HttpConnectionManager
	if f.GetTypedConfig().UnmarshalTo(&hcm) == nil {
		switch {
		case hcm.GetRds() != nil:
			return "Route: " + hcm.GetRds().GetRouteConfigName()
		case hcm.GetRouteConfig() != nil:
			return "Inline Route: " + hcm.GetRouteConfig().GetName()
		}
		return "Scoped Routes"
	}
	var tcp tcpproxyv3.TcpProxy
	if f.GetTypedConfig().UnmarshalTo(&tcp) == nil {
		if c := tcp.GetCluster(); c != "" {
			return "Cluster: " + c
		}
		return "Weighted Clusters"
	}
	return "Filter: " + f.GetName()
}

func routeRows(msgs []proto.Message) [][]string {
	var rows [][]string
	for _, m := range msgs {
		if rc, ok := m.(*routev3.RouteConfiguration); ok {
			rows = append(rows, routeConfigRows(rc)...)
		}
	}
	return rows
}

func routeConfigRows(rc *routev3.RouteConfiguration) [][]string {
	var rows [][]string
	for _, vh := range rc.GetVirtualHosts() {
		domains := summarizeDomains(vh.GetDomains())
		for _, r := range vh.GetRoutes() {
			rows = append(rows, []string{rc.GetName(), domains, matchText(r.GetMatch()), virtualService(r)})
		}
		if len(vh.GetRoutes()) == 0 {
			rows = append(rows, []string{rc.GetName(), domains, "-", "-"})
		}
	}
	return rows
}

func summarizeDomains(ds []string) string {
	if len(ds) <= 2 {
		return orDash(strings.Join(ds, ", "))
	}
	return fmt.Sprintf("%s, %s + %d more", ds[0], ds[1], len(ds)-2)
}

func matchText(m *routev3.RouteMatch) string {
	switch {
	case m.GetPrefix() != "" || m.GetPathSpecifier() == nil:
		return m.GetPrefix() + "*"
	case m.GetPath() != "":
		return m.GetPath()
	case m.GetSafeRegex() != nil:
		return m.GetSafeRegex().GetRegex()
	case m.GetPathSeparatedPrefix() != "":
		return m.GetPathSeparatedPrefix() + "/*"
	}
	return "-"
}

// virtualService names the VirtualService a route came from, from Istio's
// route metadata (filter_metadata.istio.config:
// /apis/networking.istio.io/v1/namespaces/<ns>/virtual-service/<name>).
func virtualService(r *routev3.Route) string {
	cfg := r.GetMetadata().GetFilterMetadata()["istio"].GetFields()["config"].GetStringValue()
	parts := strings.Split(strings.Trim(cfg, "/"), "/")
	if n := len(parts); n >= 4 && parts[n-4] == "namespaces" {
		return parts[n-1] + "." + parts[n-3]
	}
	return "-"
}

func clusterRows(msgs []proto.Message) [][]string {
	var rows [][]string
	for _, m := range msgs {
		c, ok := m.(*clusterv3.Cluster)
		if !ok {
			continue
		}
		typ := c.GetType().String()
		if ct := c.GetClusterType(); ct != nil {
			typ = ct.GetName()
		}
		n, err := xdsmeta.ParseClusterName(c.GetName())
		if err != nil {
			rows = append(rows, []string{c.GetName(), "-", "-", "-", typ})
			continue
		}
		rows = append(rows, []string{orDash(n.Host), strconv.FormatUint(uint64(n.Port), 10), orDash(n.Subset), string(n.Direction), typ})
	}
	return rows
}

func endpointRows(msgs []proto.Message) [][]string {
	var rows [][]string
	for _, m := range msgs {
		cla, ok := m.(*endpointv3.ClusterLoadAssignment)
		if !ok {
			continue
		}
		for _, loc := range cla.GetEndpoints() {
			for _, lbe := range loc.GetLbEndpoints() {
				rows = append(rows, []string{endpointAddress(lbe), healthText(lbe.GetHealthStatus()), cla.GetClusterName()})
			}
		}
	}
	return rows
}

func endpointAddress(lbe *endpointv3.LbEndpoint) string {
	if name := lbe.GetEndpointName(); name != "" {
		return name
	}
	a := lbe.GetEndpoint().GetAddress()
	if sa := a.GetSocketAddress(); sa != nil {
		host := sa.GetAddress()
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return host + ":" + strconv.FormatUint(uint64(sa.GetPortValue()), 10)
	}
	if p := a.GetPipe(); p != nil {
		return "unix://" + p.GetPath()
	}
	return "-"
}

// healthText shows UNKNOWN as HEALTHY: Envoy routes to both alike.
func healthText(s corev3.HealthStatus) string {
	if s == corev3.HealthStatus_UNKNOWN {
		return "HEALTHY"
	}
	return s.String()
}

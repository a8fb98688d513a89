package xds

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	faultv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	routerv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
)

// Filter names, as Envoy spells them.
const (
	hcmFilterName      = "envoy.filters.network.http_connection_manager"
	tcpProxyFilterName = "envoy.filters.network.tcp_proxy"
	routerFilterName   = "envoy.filters.http.router"
)

// outboundListenerKey is everything an outbound listener is built from.
type outboundListenerKey struct {
	name, bind string
	port       uint32
	routeName  string // HTTP
	cluster    string // TCP
}

func (p *Push) httpOutboundListener(ol *outboundListener) *Resource {
	k := outboundListenerKey{name: ol.name, bind: ol.bind, port: ol.port, routeName: ol.routeName}
	return p.resources.get(k, func() *Resource {
		hcm := &hcmv3.HttpConnectionManager{
			StatPrefix: "outbound_" + ol.name,
			CodecType:  hcmv3.HttpConnectionManager_AUTO,
			RouteSpecifier: &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
				ConfigSource:    adsSource(),
				RouteConfigName: ol.routeName,
			}},
			HttpFilters: []*hcmv3.HttpFilter{
				httpFilter(faultFilterName, mustAny(&faultv3.HTTPFault{})),
				httpFilter(routerFilterName, mustAny(&routerv3.Router{})),
			},
		}
		return p.newResource(resourcev3.ListenerType, ol.name, listener(ol.name, ol.bind, ol.port, corev3.TrafficDirection_OUTBOUND, networkFilter(hcmFilterName, mustAny(hcm))))
	})
}

func (p *Push) tcpOutboundListener(ol *outboundListener, cluster string) *Resource {
	k := outboundListenerKey{name: ol.name, bind: ol.bind, port: ol.port, cluster: cluster}
	return p.resources.get(k, func() *Resource {
		return p.newResource(resourcev3.ListenerType, ol.name, listener(ol.name, ol.bind, ol.port, corev3.TrafficDirection_OUTBOUND, tcpProxy(cluster)))
	})
}

func listener(name, bind string, port uint32, dir corev3.TrafficDirection, filter *listenerv3.Filter) *listenerv3.Listener {
	return &listenerv3.Listener{
		Name:             name,
		Address:          socketAddress(bind, port),
		TrafficDirection: dir,
		FilterChains:     []*listenerv3.FilterChain{{Filters: []*listenerv3.Filter{filter}}},
	}
}

func tcpProxy(cluster string) *listenerv3.Filter {
	return networkFilter(tcpProxyFilterName, mustAny(&tcpv3.TcpProxy{
		StatPrefix:       cluster,
		ClusterSpecifier: &tcpv3.TcpProxy_Cluster{Cluster: cluster},
	}))
}

func networkFilter(name string, config *anyMessage) *listenerv3.Filter {
	return &listenerv3.Filter{Name: name, ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: config}}
}

func httpFilter(name string, config *anyMessage) *hcmv3.HttpFilter {
	return &hcmv3.HttpFilter{Name: name, ConfigType: &hcmv3.HttpFilter_TypedConfig{TypedConfig: config}}
}

// inlineRoutes is an HCM with an inline route configuration and only the router.
func inlineRoutes(statPrefix string, rc *routev3.RouteConfiguration) *hcmv3.HttpConnectionManager {
	return &hcmv3.HttpConnectionManager{
		StatPrefix:     statPrefix,
		CodecType:      hcmv3.HttpConnectionManager_AUTO,
		RouteSpecifier: &hcmv3.HttpConnectionManager_RouteConfig{RouteConfig: rc},
		HttpFilters:    []*hcmv3.HttpFilter{httpFilter(routerFilterName, mustAny(&routerv3.Router{}))},
	}
}

package proxyconfig

import (
	"encoding/json"
	"fmt"
	"strings"
)

// dump is a ConfigDump read as plain JSON, so resources keep every field,
// including those of types this binary does not know.
type dump struct {
	byType map[string]json.RawMessage // short type name ("ListenersConfigDump") → config
}

func parseDump(b []byte) (*dump, error) {
	var raw struct {
		Configs []json.RawMessage `json:"configs"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("not an Envoy config dump: %w", err)
	}
	d := &dump{byType: map[string]json.RawMessage{}}
	for _, c := range raw.Configs {
		var typed struct {
			Type string `json:"@type"`
		}
		if err := json.Unmarshal(c, &typed); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		d.byType[typed.Type[strings.LastIndexByte(typed.Type, '.')+1:]] = c
	}
	return d, nil
}

// paths say where each kind's resources sit: the dump type, then for each
// list the field holding it and the path to the resource in an element.
var paths = map[string]struct {
	dumpType string
	lists    [][]string
}{
	"listeners": {"ListenersConfigDump", [][]string{{"static_listeners", "listener"}, {"dynamic_listeners", "active_state", "listener"}}},
	"routes":    {"RoutesConfigDump", [][]string{{"static_route_configs", "route_config"}, {"dynamic_route_configs", "route_config"}}},
	"clusters":  {"ClustersConfigDump", [][]string{{"static_clusters", "cluster"}, {"dynamic_active_clusters", "cluster"}}},
	"endpoints": {"EndpointsConfigDump", [][]string{{"static_endpoint_configs", "endpoint_config"}, {"dynamic_endpoint_configs", "endpoint_config"}}},
}

// resources returns the active resources of a kind, static ones first.
// Routes include the route configurations inlined in listeners (Loom's and
// Istio's inbound routes are inline).
func (d *dump) resources(kind string) []json.RawMessage {
	p := paths[kind]
	var out []json.RawMessage
	for _, path := range p.lists {
		for _, elem := range list(d.byType[p.dumpType], path[0]) {
			if r := dig(elem, path[1:]...); r != nil {
				out = append(out, r)
			}
		}
	}
	if kind == "routes" {
		out = append(out, inlineRoutes(d.resources("listeners"))...)
	}
	return out
}

// inlineRoutes finds route_config in the listeners' HTTP connection
// managers and gives each the "@type" of a RouteConfiguration.
func inlineRoutes(listeners []json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	for _, l := range listeners {
		for _, fc := range list(l, "filter_chains") {
			for _, f := range list(fc, "filters") {
				rc := dig(f, "typed_config", "route_config")
				var fields map[string]json.RawMessage
				if rc == nil || json.Unmarshal(rc, &fields) != nil {
					continue
				}
				fields["@type"] = json.RawMessage(`"` + routeConfigType + `"`)
				if b, err := json.Marshal(fields); err == nil {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

const routeConfigType = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"

func list(obj json.RawMessage, field string) []json.RawMessage {
	var out []json.RawMessage
	if f := dig(obj, field); f != nil {
		_ = json.Unmarshal(f, &out)
	}
	return out
}

// dig follows object fields; nil when one is missing. Field names are
// Envoy's (proto names); the camelCase JSON form is accepted too.
func dig(obj json.RawMessage, fields ...string) json.RawMessage {
	for _, f := range fields {
		var m map[string]json.RawMessage
		if json.Unmarshal(obj, &m) != nil {
			return nil
		}
		v, ok := m[f]
		if !ok {
			v, ok = m[camel(f)]
		}
		if !ok || string(v) == "null" {
			return nil
		}
		obj = v
	}
	return obj
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

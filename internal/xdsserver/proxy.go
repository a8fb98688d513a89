package xdsserver

import (
	"fmt"
	"sort"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/loom-mesh/loom/internal/xds"
	"github.com/loom-mesh/loom/internal/xdsmeta"
)

// ParseNode validates a node (docs/xds.md, "How a proxy identifies itself")
// and returns the proxy it describes. Errors name the offending field
// (`node.id`, `node.metadata.NAMESPACE`, ...) and the reason.
func ParseNode(node *core.Node) (*xds.Proxy, error) {
	if node == nil || node.GetId() == "" {
		return nil, fmt.Errorf("node.id: required (%s)", "sidecar~<ip>~<workload>.<namespace>~<namespace>.svc.cluster.local")
	}
	id, err := xdsmeta.ParseNodeID(node.GetId())
	if err != nil {
		return nil, fmt.Errorf("node.id: %w", err)
	}
	fields := node.GetMetadata().GetFields()
	ns, err := stringField(fields, xdsmeta.MetaNamespace)
	if err != nil {
		return nil, err
	}
	switch {
	case ns == "":
		return nil, fmt.Errorf("node.metadata.%s: required: the workload's namespace", xdsmeta.MetaNamespace)
	case ns != id.Namespace:
		return nil, fmt.Errorf("node.metadata.%s: %q does not match the namespace %q in node.id %q",
			xdsmeta.MetaNamespace, ns, id.Namespace, node.GetId())
	}
	p := &xds.Proxy{ID: id, Workload: id.Workload, InterceptionMode: xdsmeta.InterceptionNone}
	if err := readMetadata(p, fields); err != nil {
		return nil, err
	}
	return p, nil
}

func readMetadata(p *xds.Proxy, fields map[string]*structpb.Value) error {
	workload, err := stringField(fields, xdsmeta.MetaWorkloadName)
	if err != nil {
		return err
	}
	if workload != "" {
		p.Workload = workload
	}
	mode, err := stringField(fields, xdsmeta.MetaInterceptionMode)
	if err != nil {
		return err
	}
	switch mode {
	case "", xdsmeta.InterceptionNone:
	case xdsmeta.InterceptionRedirect:
		p.InterceptionMode = mode
	default:
		return fmt.Errorf("node.metadata.%s: %q: must be %q or %q",
			xdsmeta.MetaInterceptionMode, mode, xdsmeta.InterceptionNone, xdsmeta.InterceptionRedirect)
	}
	p.Labels, err = labelsField(fields)
	return err
}

func stringField(fields map[string]*structpb.Value, key string) (string, error) {
	v, ok := fields[key]
	if !ok {
		return "", nil
	}
	s, ok := v.GetKind().(*structpb.Value_StringValue)
	if !ok {
		return "", fmt.Errorf("node.metadata.%s: must be a string", key)
	}
	return s.StringValue, nil
}

func labelsField(fields map[string]*structpb.Value) (map[string]string, error) {
	v, ok := fields[xdsmeta.MetaLabels]
	if !ok {
		return nil, nil
	}
	st := v.GetStructValue()
	if st == nil {
		return nil, fmt.Errorf("node.metadata.%s: must be a map of strings", xdsmeta.MetaLabels)
	}
	keys := make([]string, 0, len(st.GetFields()))
	for k := range st.GetFields() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	labels := make(map[string]string, len(keys))
	for _, k := range keys {
		s, ok := st.GetFields()[k].GetKind().(*structpb.Value_StringValue)
		if !ok {
			return nil, fmt.Errorf("node.metadata.%s.%s: must be a string", xdsmeta.MetaLabels, k)
		}
		labels[k] = s.StringValue
	}
	return labels, nil
}

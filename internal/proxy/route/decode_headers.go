//lint:file-ignore SA1019 the deprecated `append` field still overrides append_action in Envoy, so the proxy honours it.

package route

import (
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// decodeMutation converts <side>_headers_to_add / <side>_headers_to_remove.
// An added header with an empty value is skipped unless keep_empty_value is
// set, as Envoy does.
func decodeMutation(add []*corev3.HeaderValueOption, remove []string, side string) (HeaderMutation, error) {
	var m HeaderMutation
	for i, o := range add {
		h, set, keep, err := decodeHeaderOption(o)
		if err != nil {
			return HeaderMutation{}, xdsdecode.At(err, xdsdecode.Index(side+"_headers_to_add", i))
		}
		switch {
		case !keep:
		case set:
			m.Set = append(m.Set, h)
		default:
			m.Add = append(m.Add, h)
		}
	}
	for i, name := range remove {
		name = strings.ToLower(name)
		if err := modifiable(name); err != nil {
			return HeaderMutation{}, xdsdecode.At(err, xdsdecode.Index(side+"_headers_to_remove", i))
		}
		m.Remove = append(m.Remove, name)
	}
	return m, nil
}

// decodeHeaderOption returns the header, whether it replaces existing values,
// and whether it is kept at all (an empty value is dropped by default).
func decodeHeaderOption(o *corev3.HeaderValueOption) (h Header, set, keep bool, err error) {
	if err := xdsdecode.OnlyFields(o, "header", "append", "append_action", "keep_empty_value"); err != nil {
		return Header{}, false, false, err
	}
	hv := o.GetHeader()
	if err := xdsdecode.OnlyFields(hv, "key", "value", "raw_value"); err != nil {
		return Header{}, false, false, xdsdecode.At(err, "header")
	}
	h.Name = strings.ToLower(hv.GetKey())
	if err := modifiable(h.Name); err != nil {
		return Header{}, false, false, xdsdecode.At(err, "header.key")
	}
	raw := hv.GetValue()
	if len(hv.GetRawValue()) > 0 {
		raw = string(hv.GetRawValue())
	}
	if h.Value, err = literalHeaderValue(raw); err != nil {
		return Header{}, false, false, xdsdecode.At(err, "header.value")
	}
	if err := http1.CheckEditValue(h.Value); err != nil {
		return Header{}, false, false, xdsdecode.Errorf("header.value", "%q: %v", h.Value, err)
	}
	if set, err = appendMode(o); err != nil {
		return Header{}, false, false, err
	}
	return h, set, h.Value != "" || o.GetKeepEmptyValue(), nil
}

// appendMode reports whether the option overwrites (true) or appends. The
// deprecated `append` wins over append_action when set.
func appendMode(o *corev3.HeaderValueOption) (bool, error) {
	if a := o.GetAppend(); a != nil {
		return !a.GetValue(), nil
	}
	switch o.GetAppendAction() {
	case corev3.HeaderValueOption_APPEND_IF_EXISTS_OR_ADD:
		return false, nil
	case corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD:
		return true, nil
	}
	return false, xdsdecode.Errorf("append_action", "%s: not supported", o.GetAppendAction())
}

// modifiable rejects what a header mutation may not touch: pseudo-headers
// and host, as Envoy rejects them (":-prefixed or host headers may not be
// modified"), and the fields the proxy's codec manages itself — hop-by-hop
// fields (connection, keep-alive, te, upgrade, ...), framing (content-length,
// transfer-encoding, trailer) and expect — which the data path could only
// ignore. Rejecting them here NACKs the route rather than dropping the rule.
func modifiable(name string) error {
	if name == "" {
		return xdsdecode.Errorf("", "header name required")
	}
	if strings.HasPrefix(name, ":") || name == "host" {
		return xdsdecode.Errorf("", "%q: pseudo-headers and host may not be modified", name)
	}
	if err := http1.CheckEditName(name); err != nil {
		return xdsdecode.Errorf("", "%q: may not be modified: %v", name, err)
	}
	return nil
}

// literalHeaderValue unescapes `%%` and rejects Envoy's `%COMMAND%` formatters,
// which the proxy does not evaluate.
func literalHeaderValue(v string) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+1 < len(v) && v[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		return "", xdsdecode.Errorf("", "%q: header value formatters (%%...%%) are not supported; write a literal %% as %%%%", v)
	}
	return b.String(), nil
}

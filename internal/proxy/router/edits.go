package router

import (
	"fmt"

	"github.com/loom-mesh/loom/internal/proxy/http1"
	"github.com/loom-mesh/loom/internal/proxy/route"
)

// h1Edits converts header mutation layers to the HTTP/1.1 codec's edits,
// once per config. The route decoder already NACKs mutations the codec
// refuses (framing and hop-by-hop fields, bad names or values), so warn only
// fires for configs built without it; such a mutation is left out.
func h1Edits(layers []*route.HeaderMutation, warn func(string)) []*http1.HeaderEdits {
	if len(layers) == 0 {
		return nil
	}
	out := make([]*http1.HeaderEdits, 0, len(layers))
	for _, m := range layers {
		e := &http1.HeaderEdits{}
		for _, h := range m.Set {
			e.Set = keepValid(e.Set, http1.Field{Name: h.Name, Value: h.Value}, warn)
		}
		for _, h := range m.Add {
			e.Add = keepValid(e.Add, http1.Field{Name: h.Name, Value: h.Value}, warn)
		}
		for _, name := range m.Remove {
			probe := http1.HeaderEdits{Remove: []string{name}}
			if err := probe.Validate(); err != nil {
				warn(fmt.Sprintf("header mutation not applied to HTTP/1.1: %v", err))
				continue
			}
			e.Remove = append(e.Remove, name)
		}
		out = append(out, e)
	}
	return out
}

func keepValid(dst []http1.Field, f http1.Field, warn func(string)) []http1.Field {
	probe := http1.HeaderEdits{Set: []http1.Field{f}}
	if err := probe.Validate(); err != nil {
		warn(fmt.Sprintf("header mutation not applied to HTTP/1.1: %v", err))
		return dst
	}
	return append(dst, f)
}

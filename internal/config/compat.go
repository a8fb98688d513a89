package config

import "fmt"

// upgradeLegacy rewrites fields that older Istio releases accepted and that
// istio.io/api has since removed or deprecated, so that existing YAML reads
// unchanged, and returns a warning for each. Today: VirtualService
// `fault.abort.percent` and `fault.delay.percent` (integers) become
// `percentage.value`, which is how Istio has always translated them.
func upgradeLegacy(kind Kind, spec any) []fieldProblem {
	if kind != KindVirtualService {
		return nil
	}
	m, _ := spec.(map[string]any)
	routes, _ := m["http"].([]any)
	var warnings []fieldProblem
	for i, r := range routes {
		route, _ := r.(map[string]any)
		fault, _ := route["fault"].(map[string]any)
		for _, name := range []string{"abort", "delay"} {
			f, _ := fault[name].(map[string]any)
			path := fmt.Sprintf("spec.http[%d].fault.%s.percent", i, name)
			if w := upgradePercent(f, path); w != nil {
				warnings = append(warnings, *w)
			}
		}
	}
	return warnings
}

// upgradePercent moves an integer `percent` to `percentage.value` when
// `percentage` is not also set (then the schema check reports the conflict).
func upgradePercent(f map[string]any, path string) *fieldProblem {
	percent, ok := f["percent"]
	if !ok || percent == nil || f["percentage"] != nil {
		return nil
	}
	delete(f, "percent")
	f["percentage"] = map[string]any{"value": percent}
	return &fieldProblem{field: path, reason: fmt.Sprintf("deprecated; read as percentage.value: %s", describe(percent))}
}

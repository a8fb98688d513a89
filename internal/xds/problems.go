package xds

import (
	"cmp"
	"slices"

	"github.com/loom-mesh/loom/internal/config"
)

func warning(k config.Key, field, reason string) config.Problem {
	return config.Problem{Key: k, Field: field, Reason: reason, Severity: config.SeverityWarning}
}

func sortProblems(ps []config.Problem) {
	slices.SortFunc(ps, func(a, b config.Problem) int {
		return cmp.Or(
			cmp.Compare(a.Key.Kind, b.Key.Kind),
			cmp.Compare(a.Key.Namespace, b.Key.Namespace),
			cmp.Compare(a.Key.Name, b.Key.Name),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Reason, b.Reason),
		)
	})
}

func dedupeProblems(ps []config.Problem) []config.Problem {
	return slices.CompactFunc(ps, func(a, b config.Problem) bool {
		return a.Key == b.Key && a.Field == b.Field && a.Reason == b.Reason && a.Severity == b.Severity
	})
}

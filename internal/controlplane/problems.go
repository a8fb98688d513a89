package controlplane

import (
	"log/slog"
	"sort"
	"sync"

	"github.com/loom-mesh/loom/internal/config"
)

// problemLog logs each config problem once, when it appears, and once more
// when it is resolved; it keeps the current list for /debug/configz.
type problemLog struct {
	log *slog.Logger

	mu      sync.Mutex
	current map[string]config.Problem // by String()
	version uint64                    // config snapshot version they belong to
}

func newProblemLog(log *slog.Logger) *problemLog {
	return &problemLog{log: log, current: map[string]config.Problem{}}
}

// update replaces the current problems with found.
func (l *problemLog) update(version uint64, found []config.Problem) {
	next := make(map[string]config.Problem, len(found))
	for _, p := range found {
		next[p.String()] = p
	}
	l.mu.Lock()
	prev := l.current
	l.current, l.version = next, version
	l.mu.Unlock()
	for _, key := range sortedKeys(next) {
		if _, seen := prev[key]; !seen {
			p := next[key]
			l.log.Warn("config problem", "problem", key, "severity", p.Severity.String(), "source", p.Source)
		}
	}
	for _, key := range sortedKeys(prev) {
		if _, still := next[key]; !still {
			l.log.Info("config problem resolved", "problem", key)
		}
	}
}

// snapshot returns the current problems, sorted.
func (l *problemLog) snapshot() (uint64, []config.Problem) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]config.Problem, 0, len(l.current))
	for _, key := range sortedKeys(l.current) {
		out = append(out, l.current[key])
	}
	return l.version, out
}

func sortedKeys(m map[string]config.Problem) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

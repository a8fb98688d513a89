package config

import (
	"sort"
	"strconv"
	"strings"
)

// Analyzer inspects a whole snapshot and returns findings. Analyzers let other
// packages report on config (e.g. the xDS generator warning about fields it does
// not act on yet). An error-severity Problem rejects the new version of the
// object it names, as a validation error does; warnings only inform.
// Analyzers must not modify the snapshot.
type Analyzer func(*Snapshot) []Problem

// builtinAnalyzers are the cross-object checks Loom always runs.
func builtinAnalyzers() []Analyzer {
	return []Analyzer{analyzeSubsets, analyzeSidecars, analyzeGatewayRefs}
}

// settle decides which version of each object serves. current holds, per key,
// the newest valid version (or the last good one where the newest was rejected);
// lastGood the versions serving before. Analyzers run on the candidate set; an
// object with an analyzer error falls back to its last good version (or is
// dropped when it has none) and the analyzers run again, until no changed
// object has an error; each round reverts at least one object for good, so this
// ends. An unchanged object keeps serving with its error reported.
func settle(current, lastGood map[Key]*Object, analyzers []Analyzer, version uint64, base []Problem) *Snapshot {
	var rejected []Problem
	for {
		snap := NewSnapshot(version, objectList(current), nil)
		var found []Problem
		for _, a := range analyzers {
			found = append(found, a(snap)...)
		}
		reverted := revertRejected(found, current, lastGood)
		if len(reverted) == 0 {
			all := make([]Problem, 0, len(base)+len(rejected)+len(found))
			all = append(append(append(all, base...), rejected...), sourced(found, current)...)
			snap.Problems = sortProblems(all)
			return snap
		}
		rejected = append(rejected, reverted...)
	}
}

// revertRejected puts back the last good version of every changed object that
// has an error among found, and returns those errors.
func revertRejected(found []Problem, current, lastGood map[Key]*Object) []Problem {
	var errs []Problem
	for _, p := range found {
		if o := current[p.Key]; p.Severity == SeverityError && o != nil && o != lastGood[p.Key] {
			errs = append(errs, withSource(p, o))
		}
	}
	for _, p := range errs {
		if lg := lastGood[p.Key]; lg != nil {
			current[p.Key] = lg
		} else {
			delete(current, p.Key)
		}
	}
	return errs
}

func objectList(m map[Key]*Object) []*Object {
	list := make([]*Object, 0, len(m))
	for _, o := range m {
		list = append(list, o)
	}
	return list
}

// sourced fills in the Source of problems that name an object but no file.
// It returns a new slice: analyzers' results are not modified.
func sourced(problems []Problem, objs map[Key]*Object) []Problem {
	out := make([]Problem, len(problems))
	for i, p := range problems {
		if o := objs[p.Key]; o != nil {
			p = withSource(p, o)
		}
		out[i] = p
	}
	return out
}

func withSource(p Problem, o *Object) Problem {
	if p.Source == "" {
		p.Source = o.Source
	}
	return p
}

// sortProblems orders problems by file (documents in order), then object and
// field, and drops exact repeats.
func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool { return problemLess(ps[i], ps[j]) })
	out := ps[:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

func problemLess(a, b Problem) bool {
	if c := compareSource(a.Source, b.Source); c != 0 {
		return c < 0
	}
	if a.Key != b.Key {
		return a.Key.String() < b.Key.String()
	}
	if a.Field != b.Field {
		return a.Field < b.Field
	}
	return a.Reason < b.Reason
}

// compareSource orders `path#index` by path, then by index as a number.
func compareSource(a, b string) int {
	pa, ia := splitSource(a)
	pb, ib := splitSource(b)
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	return ia - ib
}

func splitSource(s string) (string, int) {
	i := strings.LastIndexByte(s, '#')
	if i < 0 {
		return s, -1
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return s, -1
	}
	return s[:i], n
}

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
)

// dirState is what a DirSource knows about its directory: the parsed content
// of each file, the versions of objects serving, and the last snapshot.
// It is owned by one goroutine.
type dirState struct {
	analyzers []Analyzer
	files     map[string]*parsedFile
	// readProblems are files that could not be read (their previous content stays).
	readProblems map[string]Problem
	lastGood     map[Key]*Object
	published    *Snapshot
}

func newDirState(analyzers []Analyzer) *dirState {
	return &dirState{
		analyzers:    analyzers,
		files:        map[string]*parsedFile{},
		readProblems: map[string]Problem{},
		lastGood:     map[Key]*Object{},
	}
}

// update re-reads one file. A file that is gone is forgotten; a file that
// cannot be read, or is not valid YAML, keeps its previous content, and the
// problem is reported.
func (d *dirState) update(path string) {
	delete(d.readProblems, path)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		delete(d.files, path)
		return
	case err != nil:
		d.readProblems[path] = Problem{Source: path, Reason: fmt.Sprintf("reading: %v (its previous content stays in service)", err)}
		return
	}
	f := readFile(path, data)
	if prev := d.files[path]; !f.syntaxOK && prev != nil {
		f = &parsedFile{path: path, docs: prev.docs, syntaxOK: prev.syntaxOK, stale: keptBecause(f)}
	}
	d.files[path] = f
}

// keptBecause returns the problems of content that was not applied, noting
// that the file's previous content stays in service.
func keptBecause(f *parsedFile) []Problem {
	var out []Problem
	for _, doc := range f.docs {
		for _, p := range doc.problems {
			if doc.key.Name == "" && p.Severity == SeverityError {
				p.Reason += " (the file's previous content stays in service)"
				out = append(out, p)
			}
		}
	}
	return out
}

// knownUnder lists the known files at or under path (a file or a directory).
func (d *dirState) knownUnder(dir string) []string {
	var out []string
	for p := range d.files {
		if p == dir || isUnder(p, dir) {
			out = append(out, p)
		}
	}
	return out
}

// snapshot builds the snapshot for the current files. It returns nil when
// nothing a consumer sees (objects or problems) changed since the last one.
func (d *dirState) snapshot() *Snapshot {
	paths := make([]string, 0, len(d.files))
	for p := range d.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	files := make([]*parsedFile, len(paths))
	var problems []Problem
	for i, p := range paths {
		files[i] = d.files[p]
		problems = append(problems, d.files[p].stale...)
	}
	for _, p := range d.readProblems {
		problems = append(problems, p)
	}
	g := gather(files)
	version := uint64(1)
	if d.published != nil {
		version = d.published.Version + 1
	}
	snap := settle(g.candidates(d.lastGood), d.lastGood, d.analyzers, version, append(problems, g.problems...))
	if d.published != nil && sameSnapshot(d.published, snap) {
		return nil
	}
	d.published = snap
	d.lastGood = objectMap(snap)
	return snap
}

func objectMap(s *Snapshot) map[Key]*Object {
	m := map[Key]*Object{}
	for _, list := range s.byKind {
		for _, o := range list {
			m[o.Key] = o
		}
	}
	return m
}

// sameSnapshot reports whether two snapshots hold the same object versions and problems.
func sameSnapshot(a, b *Snapshot) bool {
	if len(a.Problems) != len(b.Problems) || len(a.byKind) != len(b.byKind) {
		return false
	}
	for i := range a.Problems {
		if a.Problems[i] != b.Problems[i] {
			return false
		}
	}
	for kind, list := range a.byKind {
		other := b.byKind[kind]
		if len(other) != len(list) {
			return false
		}
		for i, o := range list {
			if other[i] != o {
				return false
			}
		}
	}
	return true
}

package config

import "fmt"

// parsedFile is what one file holds: its documents, decoded and validated.
type parsedFile struct {
	path     string
	docs     []decoded
	syntaxOK bool
	// stale holds the problems of newer content that was not applied
	// (invalid YAML); docs are then the file's previous content.
	stale []Problem
}

// readFile parses and validates one file's content.
func readFile(path string, data []byte) *parsedFile {
	docs, ok := parseFile(path, data)
	for i := range docs {
		if docs[i].obj != nil {
			docs[i].problems = append(docs[i].problems, ValidateObject(docs[i].obj)...)
		}
	}
	return &parsedFile{path: path, docs: docs, syntaxOK: ok}
}

// gathered is the state of all files: for each key, the document that defines it.
type gathered struct {
	winners  map[Key]*decoded
	problems []Problem
}

// gather picks, for each key, the document that defines it. files must be
// sorted by path. When two documents define one key, the first wins: the one in
// the file whose path sorts first, then the earlier document of that file. The
// other is ignored and reported.
func gather(files []*parsedFile) gathered {
	g := gathered{winners: make(map[Key]*decoded)}
	for _, f := range files {
		for i := range f.docs {
			d := &f.docs[i]
			if d.key.Name == "" {
				g.problems = append(g.problems, d.problems...)
				continue
			}
			if w := g.winners[d.key]; w != nil {
				g.problems = append(g.problems, Problem{
					Key: d.key, Source: d.source,
					Reason: fmt.Sprintf("defined again; the definition in %s is used and this one is ignored", w.source),
				})
				continue
			}
			g.winners[d.key] = d
			g.problems = append(g.problems, d.problems...)
		}
	}
	return g
}

// candidates returns, per key, the version to try: the new one when it is
// valid, else the last good one (if any). A new version identical to the last
// good one (same content, same file) is the last good one, so that unchanged
// objects keep their identity across snapshots.
func (g gathered) candidates(lastGood map[Key]*Object) map[Key]*Object {
	out := make(map[Key]*Object, len(g.winners))
	for k, d := range g.winners {
		lg := lastGood[k]
		switch {
		case d.valid() && lg != nil && lg.Revision == d.obj.Revision && lg.Source == d.obj.Source:
			out[k] = lg
		case d.valid():
			out[k] = d.obj
		case lg != nil:
			out[k] = lg
		}
	}
	return out
}

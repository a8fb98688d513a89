package config

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Loader reads config once. Analyzers run after Loom's own checks.
type Loader struct {
	Analyzers []Analyzer
}

// Load reads every *.yaml and *.yml file under dir (recursively; names starting
// with a dot are skipped) and returns a snapshot of the valid objects with every
// problem found. It fails only when dir itself cannot be read.
func Load(dir string) (*Snapshot, error) { return Loader{}.Load(dir) }

// LoadFiles is Load for a list of files; a file that cannot be read is a Problem.
func LoadFiles(paths ...string) *Snapshot { return Loader{}.LoadFiles(paths...) }

// Load reads a directory; see the package function Load.
func (l Loader) Load(dir string) (*Snapshot, error) {
	paths, err := configFiles(dir)
	if err != nil {
		return nil, err
	}
	return l.LoadFiles(paths...), nil
}

// LoadFiles reads files (each once, however often named); a file that cannot
// be read is a Problem, not an error.
func (l Loader) LoadFiles(paths ...string) *Snapshot {
	files := make([]*parsedFile, 0, len(paths))
	var problems []Problem
	for _, p := range uniqueSorted(paths) {
		data, err := os.ReadFile(p)
		if err != nil {
			problems = append(problems, Problem{Source: p, Reason: fmt.Sprintf("reading: %v", err)})
			continue
		}
		files = append(files, readFile(p, data))
	}
	g := gather(files)
	return settle(g.candidates(nil), nil, l.analyzers(), 1, append(problems, g.problems...))
}

// uniqueSorted cleans paths, sorts them and drops repeats: a file named twice is read once.
func uniqueSorted(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, filepath.Clean(p))
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func (l Loader) analyzers() []Analyzer {
	return append(builtinAnalyzers(), l.Analyzers...)
}

// configFiles lists the config files under dir, sorted.
func configFiles(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("config directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("config directory %s: not a directory", dir)
	}
	var paths []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // unreadable subtree: skipped; its files cannot be listed
		}
		if path != dir && isHidden(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && isConfigFile(path) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading config directory %s: %w", dir, err)
	}
	sort.Strings(paths)
	return paths, nil
}

// isConfigFile reports whether a path names a YAML file.
func isConfigFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return (ext == ".yaml" || ext == ".yml") && !isHidden(filepath.Base(path))
}

// isHidden reports dot-files and dot-directories: editors' lock and swap files,
// and the `..data` directories of Kubernetes ConfigMap mounts.
func isHidden(name string) bool { return strings.HasPrefix(name, ".") }

// LoadBytes reads one stream of YAML, as LoadFiles reads a file named source.
func (l Loader) LoadBytes(source string, data []byte) *Snapshot {
	g := gather([]*parsedFile{readFile(source, data)})
	return settle(g.candidates(nil), nil, l.analyzers(), 1, g.problems)
}

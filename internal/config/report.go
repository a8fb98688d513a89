package config

import (
	"errors"
	"fmt"
	"io"
)

// AnalyzeConfig says what `loom analyze` reads and where it writes.
type AnalyzeConfig struct {
	// Dir is a config directory, read as the control plane reads it.
	Dir string
	// Files are individual files, read together (as one directory would be).
	Files []string
	// Analyzers run after Loom's own checks.
	Analyzers []Analyzer
	// Stdout gets one line per problem; Stderr a one-line summary.
	Stdout, Stderr io.Writer
}

// Validate checks that exactly one of Dir and Files is set.
func (c AnalyzeConfig) Validate() error {
	switch {
	case c.Dir == "" && len(c.Files) == 0:
		return errors.New("name a config directory (loom analyze DIR) or files (-f FILE)")
	case c.Dir != "" && len(c.Files) > 0:
		return errors.New("give a directory or -f files, not both")
	}
	return nil
}

// AnalyzeResult counts what Analyze found.
type AnalyzeResult struct {
	Files, Objects, Errors, Warnings int
}

// Analyze reads and validates config exactly as the control plane does, writes
// one line per problem (`file#doc: error: Kind ns/name: field: reason`) and a
// summary, and returns the counts. It fails only when Dir cannot be read.
func Analyze(cfg AnalyzeConfig) (AnalyzeResult, error) {
	if err := cfg.Validate(); err != nil {
		return AnalyzeResult{}, err
	}
	files := uniqueSorted(cfg.Files)
	if cfg.Dir != "" {
		var err error
		if files, err = configFiles(cfg.Dir); err != nil {
			return AnalyzeResult{}, err
		}
	}
	snap := Loader{Analyzers: cfg.Analyzers}.LoadFiles(files...)
	res := AnalyzeResult{Files: len(files), Objects: countObjects(snap)}
	for _, p := range snap.Problems {
		if p.Severity == SeverityError {
			res.Errors++
		} else {
			res.Warnings++
		}
		fmt.Fprintln(cfg.Stdout, problemLine(p))
	}
	fmt.Fprintf(cfg.Stderr, "loom analyze: %s, %s; %s valid from %s\n",
		plural(res.Errors, "error"), plural(res.Warnings, "warning"), plural(res.Objects, "object"), plural(res.Files, "file"))
	return res, nil
}

// problemLine is one line of `loom analyze` output.
func problemLine(p Problem) string {
	msg := Problem{Key: p.Key, Field: p.Field, Reason: p.Reason}.String()
	if p.Source == "" {
		return fmt.Sprintf("%s: %s", p.Severity, msg)
	}
	return fmt.Sprintf("%s: %s: %s", p.Source, p.Severity, msg)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

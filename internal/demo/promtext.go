package demo

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Sample is one line of the Prometheus text exposition format.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// ParsePrometheus reads the text exposition format (version 0.0.4): comments
// and blank lines are skipped; every other line is `name{labels} value
// [timestamp]`. keep, when not nil, selects the metric names to return.
func ParsePrometheus(r io.Reader, keep func(name string) bool) ([]Sample, error) {
	var out []Sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSampleLine(line, keep)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if s != nil {
			out = append(out, *s)
		}
	}
	return out, sc.Err()
}

func parseSampleLine(line string, keep func(string) bool) (*Sample, error) {
	end := strings.IndexAny(line, "{ \t")
	if end <= 0 {
		return nil, fmt.Errorf("%q: want `name{labels} value`", truncate(line))
	}
	s := &Sample{Name: line[:end]}
	if keep != nil && !keep(s.Name) {
		return nil, nil
	}
	rest := line[end:]
	if rest[0] == '{' {
		labels, after, err := parseLabels(rest[1:])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		s.Labels, rest = labels, after
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 {
		return nil, fmt.Errorf("%s: want a value and an optional timestamp after the labels, got %q", s.Name, truncate(rest))
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return nil, fmt.Errorf("%s: value %q: %w", s.Name, truncate(fields[0]), err)
	}
	s.Value = v
	return s, nil
}

// parseLabels reads `a="x",b="y"}` and returns the labels and what follows the brace.
func parseLabels(s string) (map[string]string, string, error) {
	labels := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return nil, "", fmt.Errorf("labels: missing '}'")
		}
		if s[0] == '}' {
			return labels, s[1:], nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || eq+1 >= len(s) || s[eq+1] != '"' {
			return nil, "", fmt.Errorf("labels: want name=\"value\" at %q", truncate(s))
		}
		name := strings.TrimSpace(s[:eq])
		value, rest, err := unquote(s[eq+2:])
		if err != nil {
			return nil, "", fmt.Errorf("label %s: %w", name, err)
		}
		labels[name] = value
		s = rest
	}
}

// unquote reads a label value up to its closing quote, undoing \\, \" and \n.
func unquote(s string) (string, string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", "", fmt.Errorf("unterminated escape")
			}
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(s[i])
			default:
				return "", "", fmt.Errorf(`unknown escape \%c`, s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", fmt.Errorf("missing closing quote")
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

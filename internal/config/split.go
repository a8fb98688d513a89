package config

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// document is one YAML document of a file and the line (1-based) it starts on.
type document struct {
	data []byte
	line int
}

// splitDocuments cuts a multi-document YAML stream at `---` lines (the way
// Kubernetes' YAML reader does) and drops documents holding only blanks and comments.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine, line := 0, 1, 1
	flush := func(end int) {
		if chunk := data[start:end]; !blankYAML(chunk) {
			docs = append(docs, document{data: chunk, line: startLine})
		}
	}
	for pos := 0; pos < len(data); line++ {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			next = pos + end + 1
		}
		if isSeparator(data[pos:next]) {
			flush(pos)
			start, startLine = next, line+1
		}
		pos = next
	}
	flush(len(data))
	return docs
}

// isSeparator reports whether a line is a document marker: `---` (optionally
// followed by a space and a comment) or the end marker `...`.
func isSeparator(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r\n")
	if bytes.Equal(line, []byte("...")) {
		return true
	}
	if !bytes.HasPrefix(line, []byte("---")) {
		return false
	}
	rest := line[3:]
	return len(rest) == 0 || (rest[0] == ' ' || rest[0] == '\t') && bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte("#"))
}

// blankYAML reports whether a document holds nothing but whitespace and comments.
func blankYAML(doc []byte) bool {
	for _, l := range bytes.Split(doc, []byte("\n")) {
		l = bytes.TrimSpace(l)
		if len(l) > 0 && l[0] != '#' {
			return false
		}
	}
	return true
}

var yamlLinePattern = regexp.MustCompile(`line (\d+)`)

// yamlError rewrites the line numbers of a YAML decoder error, which count from
// the start of the document, to count from the start of the file.
func yamlError(err error, docLine int) string {
	// One line per problem: the decoder lists several errors on lines of
	// their own ("yaml: unmarshal errors:\n  line 10: ...").
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "unmarshal errors:\n", "")), " ")
	return yamlLinePattern.ReplaceAllStringFunc(msg, func(m string) string {
		n, convErr := strconv.Atoi(m[len("line "):])
		if convErr != nil {
			return m
		}
		return fmt.Sprintf("line %d", n+docLine-1)
	})
}

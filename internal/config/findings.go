package config

import "fmt"

// findings collects the problems of one object; validators append to it with
// the field path and the reason.
type findings struct {
	key      Key
	source   string
	problems []Problem
}

func newFindings(o *Object) *findings {
	return &findings{key: o.Key, source: o.Source}
}

func (f *findings) add(sev Severity, field, format string, args ...any) {
	f.problems = append(f.problems, Problem{
		Key: f.key, Source: f.source, Field: field,
		Reason: fmt.Sprintf(format, args...), Severity: sev,
	})
}

// errorf records a problem that rejects the object.
func (f *findings) errorf(field, format string, args ...any) {
	f.add(SeverityError, field, format, args...)
}

// warnf records a problem that leaves the object in service.
func (f *findings) warnf(field, format string, args ...any) {
	f.add(SeverityWarning, field, format, args...)
}

// check records err, when there is one, as an error at field.
func (f *findings) check(field string, err error) {
	if err != nil {
		f.errorf(field, "%s", err.Error())
	}
}

// index and dot build field paths: index("spec.http", 0) is spec.http[0].
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func dot(path, name string) string { return path + "." + name }

// mapKey is the path of one map entry, as the schema checker writes it.
func mapKey(path, key string) string { return joinField(path, key) }

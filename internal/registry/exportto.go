package registry

import "slices"

// ExportTo is the set of namespaces an object is visible to, from an Istio
// `exportTo` list: `*` is every namespace (the default when the list is
// empty), `.` the object's own namespace, `~` none, anything else a namespace.
type ExportTo struct {
	all        bool
	namespaces []string
}

// ParseExportTo reads an exportTo list for an object in namespace own.
func ParseExportTo(list []string, own string) ExportTo {
	if len(list) == 0 {
		return ExportTo{all: true}
	}
	var e ExportTo
	for _, v := range list {
		switch v {
		case "*":
			return ExportTo{all: true}
		case "~":
		case ".":
			e.namespaces = append(e.namespaces, own)
		default:
			e.namespaces = append(e.namespaces, v)
		}
	}
	slices.Sort(e.namespaces)
	e.namespaces = slices.Compact(e.namespaces)
	return e
}

// VisibleTo reports whether namespace ns sees the object.
func (e ExportTo) VisibleTo(ns string) bool {
	return e.all || slices.Contains(e.namespaces, ns)
}

// String renders the set for fingerprints and messages.
func (e ExportTo) String() string {
	if e.all {
		return "*"
	}
	s := ""
	for i, ns := range e.namespaces {
		if i > 0 {
			s += ","
		}
		s += ns
	}
	return s
}

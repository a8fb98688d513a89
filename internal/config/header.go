package config

import (
	"fmt"
	"strings"
)

// header is an object's apiVersion, kind and metadata, once they check out.
type header struct {
	key  Key
	meta map[string]any
}

// decodeHeader reads apiVersion, kind and metadata. It returns nil, with a
// warning, for kinds and versions Loom does not read, and nil with an error
// when the header is missing or malformed.
func decodeHeader(source, prefix string, m map[string]any) (*header, []Problem) {
	fail := func(key Key, field, reason string) (*header, []Problem) {
		return nil, []Problem{{Key: key, Source: source, Field: prefix + field, Reason: reason}}
	}
	apiVersion, ok := m["apiVersion"].(string)
	if !ok || apiVersion == "" {
		return fail(Key{}, "apiVersion", "required string, e.g. networking.istio.io/v1")
	}
	kindName, ok := m["kind"].(string)
	if !ok || kindName == "" {
		return fail(Key{}, "kind", "required string, e.g. VirtualService")
	}
	kind := Kind(kindName)
	if problem := checkAPIVersion(kind, apiVersion); problem != "" {
		return nil, []Problem{{Source: source, Field: prefix + "kind", Reason: problem, Severity: SeverityWarning}}
	}
	meta, ok := m["metadata"].(map[string]any)
	if !ok {
		return fail(Key{Kind: kind}, "metadata", "required object with name (and namespace)")
	}
	name, ok := meta["name"].(string)
	if !ok || name == "" {
		return fail(Key{Kind: kind}, "metadata.name", "required string")
	}
	key := Key{Kind: kind, Namespace: DefaultNamespace, Name: name}
	if ns, present := meta["namespace"]; present && ns != nil {
		s, ok := ns.(string)
		if !ok {
			return fail(key, "metadata.namespace", "must be a string, not "+jsonType(ns))
		}
		if s != "" {
			key.Namespace = s
		}
	}
	if unknown := unknownKeys(meta, isMetadataField); len(unknown) > 0 {
		return fail(key, joinField("metadata", unknown[0]), "unknown field")
	}
	return &header{key: key, meta: meta}, nil
}

// checkAPIVersion returns why kind/apiVersion is not read, or "".
func checkAPIVersion(kind Kind, apiVersion string) string {
	group := kindGroup(kind)
	if group == "" {
		return fmt.Sprintf("%s (%s) is not a kind Loom reads; ignored", kind, apiVersion)
	}
	g, version, found := strings.Cut(apiVersion, "/")
	if !found || g != group || !versionAccepted(group, version) {
		return fmt.Sprintf("%s: apiVersion %s is not one Loom reads (use %s/v1); ignored", kind, apiVersion, group)
	}
	return ""
}

// isObjectField reports the top-level fields of an Istio object; status is
// written by controllers and ignored here.
func isObjectField(k string) bool {
	switch k {
	case "apiVersion", "kind", "metadata", "spec", "status":
		return true
	}
	return false
}

// isMetadataField reports Kubernetes ObjectMeta's fields. Those besides name,
// namespace, labels and annotations are accepted and ignored, so that
// `kubectl get -o yaml` output reads unchanged.
func isMetadataField(k string) bool {
	switch k {
	case "name", "namespace", "labels", "annotations", "generateName", "selfLink", "uid",
		"resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
		"deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields":
		return true
	}
	return false
}

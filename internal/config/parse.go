package config

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
)

// ParseBytes reads a multi-document YAML stream of Istio objects. source names
// the stream (a file path) in each Object.Source (`source#index`, index counting
// non-empty documents from 0) and in each Problem.
//
// It returns the objects that decoded cleanly and a Problem for everything else:
// bad YAML (the whole document, with its line), a missing or malformed header,
// unknown fields and mistyped values in spec (each with its path). Kinds and
// apiVersions Loom does not read are warnings. ParseBytes does not validate
// semantics; see Validate.
func ParseBytes(source string, data []byte) ([]*Object, []Problem) {
	docs, _ := parseFile(source, data)
	var objs []*Object
	var problems []Problem
	for _, d := range docs {
		if d.obj != nil {
			objs = append(objs, d.obj)
		}
		problems = append(problems, d.problems...)
	}
	return objs, problems
}

// parseFile is ParseBytes that keeps each document's findings with it and says
// whether every document was valid YAML: a file that is not keeps its previous
// objects in a watching Source.
func parseFile(source string, data []byte) (docs []decoded, syntaxOK bool) {
	syntaxOK = true
	for i, doc := range splitDocuments(data) {
		docSource := fmt.Sprintf("%s#%d", source, i)
		tree, err := decodeYAML(doc)
		if err != nil {
			syntaxOK = false
			docs = append(docs, decoded{source: docSource, problems: []Problem{{Source: docSource, Reason: err.Error()}}})
			continue
		}
		docs = append(docs, decodeDocument(docSource, tree)...)
	}
	return docs, syntaxOK
}

// decodeYAML turns one YAML document into a JSON tree (maps, slices, json.Number).
func decodeYAML(doc document) (any, error) {
	js, err := yaml.YAMLToJSONStrict(doc.data) // a duplicate key is an error, as kubectl says
	if err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", yamlError(err, doc.line))
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("invalid YAML (line %d): %w", doc.line, err)
	}
	return tree, nil
}

// decodeDocument reads one document: an object, a `kind: List` of objects, or nothing.
func decodeDocument(source string, tree any) []decoded {
	if tree == nil {
		return nil
	}
	m, ok := tree.(map[string]any)
	if !ok {
		return []decoded{fileProblem(source, "", "document must be a mapping with apiVersion, kind, metadata and spec, not "+jsonType(tree))}
	}
	if kind, _ := m["kind"].(string); kind == "List" {
		return decodeList(source, m)
	}
	return []decoded{decodeObject(source, "", m)}
}

// decodeList reads the items of a `kind: List` document (what `kubectl get -o yaml` writes).
func decodeList(source string, m map[string]any) []decoded {
	items, ok := m["items"].([]any)
	if !ok && m["items"] != nil {
		return []decoded{fileProblem(source, "items", "must be a list")}
	}
	var docs []decoded
	for i, item := range items {
		prefix := fmt.Sprintf("items[%d]", i)
		im, ok := item.(map[string]any)
		if !ok {
			docs = append(docs, fileProblem(source, prefix, "must be an object"))
			continue
		}
		docs = append(docs, decodeObject(source, prefix+".", im))
	}
	return docs
}

func fileProblem(source, field, reason string) decoded {
	return decoded{source: source, problems: []Problem{{Source: source, Field: field, Reason: reason}}}
}

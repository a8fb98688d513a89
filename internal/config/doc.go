// Package config reads Istio API objects (networking.istio.io, security.istio.io),
// validates them the way Istio does and keeps the last good version of each.
//
// A Source delivers immutable Snapshots; the registry and the xDS generator read
// only Snapshots, so a local directory and Kubernetes informers are interchangeable.
//
// Reading: ParseBytes decodes a multi-document YAML stream into Objects whose
// Spec is the istio.io/api message for the kind (networking v1, v1beta1 and
// v1alpha3 read alike; security v1 and v1beta1 alike). Decoding is strict:
// every unknown field and mistyped value is a Problem naming its path
// (`spec.http[0].rout: unknown field`). Kinds and versions Loom does not read
// are warnings. Load and LoadFiles read files once; DirSource reads a
// directory and watches it.
//
// Validating: ValidateObject applies, per kind, the rules Istio's validation
// webhook applies; Analyzers check objects against each other (a route to a
// subset no DestinationRule defines, two Sidecars without a selector in one
// namespace, a Gateway that does not exist). Other packages add Analyzers
// (Loader.Analyzers, WithAnalyzers). An error rejects the object's new
// version; the last good version keeps serving. Warnings only inform.
//
// Every Problem prints as `Kind namespace/name: field.path: reason`; Source
// says which file and document (`path#index`, documents counted from 0).
//
// docs/config.md describes what is read and validated, and how reloads behave.
package config

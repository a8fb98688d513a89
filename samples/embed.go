// Package samples embeds the Istio sample configuration shipped in this
// directory, so `loom demo` runs from the binary alone, anywhere.
package samples

import "embed"

// IstioBookinfo holds istio-bookinfo/*.yaml: unchanged copies of Istio's
// Bookinfo traffic samples (Apache License 2.0, Istio Authors; see
// istio-bookinfo/NOTICE).
//
//go:embed istio-bookinfo/*.yaml
var IstioBookinfo embed.FS

// BookinfoFile returns one Bookinfo sample by file name, e.g.
// "virtual-service-reviews-80-20.yaml".
func BookinfoFile(name string) ([]byte, error) {
	return IstioBookinfo.ReadFile("istio-bookinfo/" + name)
}

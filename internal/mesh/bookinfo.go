package mesh

import "github.com/loom-mesh/loom/internal/sampleapp"

// BookinfoPort is the port every Bookinfo service listens on.
const BookinfoPort = 9080

// Bookinfo is the Bookinfo mesh: productpage → details and reviews; reviews
// v1, v2 and v3 (v2 and v3 call ratings); ratings. Workloads are named
// <service>-<version>.
func Bookinfo() Spec {
	svc := func(name string) Service { return Service{Name: name, Port: BookinfoPort, Protocol: HTTP} }
	app := &App{Kind: sampleapp.KindBookinfo}
	wl := func(service, version string, calls ...string) Workload {
		return Workload{Name: service + "-" + version, Service: service, Version: version, Calls: calls, App: app}
	}
	return Spec{
		Services: []Service{
			svc(sampleapp.ProductPage), svc(sampleapp.Details), svc(sampleapp.Reviews), svc(sampleapp.Ratings),
		},
		Workloads: []Workload{
			wl(sampleapp.ProductPage, "v1", sampleapp.Details, sampleapp.Reviews),
			wl(sampleapp.Details, "v1"),
			wl(sampleapp.Reviews, "v1"),
			wl(sampleapp.Reviews, "v2", sampleapp.Ratings),
			wl(sampleapp.Reviews, "v3", sampleapp.Ratings),
			wl(sampleapp.Ratings, "v1"),
		},
	}
}

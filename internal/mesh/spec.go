// Package mesh starts a whole Loom mesh on one machine, as real processes:
// `loom control-plane`, one sample app per workload and one `loom proxy`
// sidecar per workload, all on loopback addresses of one address block (see
// Plan). The mesh is described by a small Spec; the launcher writes it out as
// Istio YAML (ServiceEntry, WorkloadEntry and Sidecar objects) into the
// control plane's config directory. `loom demo` and the end-to-end tests share it.
package mesh

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

// Protocol is an Istio port protocol.
type Protocol string

// Protocols the mesh's services may use.
const (
	HTTP  Protocol = "HTTP"
	HTTP2 Protocol = "HTTP2"
	GRPC  Protocol = "GRPC"
	TCP   Protocol = "TCP"
)

// portName is the Istio port name for a protocol.
func (p Protocol) portName() string {
	switch p {
	case HTTP2:
		return "http2"
	case GRPC:
		return "grpc"
	case TCP:
		return "tcp"
	}
	return "http"
}

// Spec describes a mesh: the services and the workloads behind them.
type Spec struct {
	// Namespace of every object; "default" when empty.
	Namespace string
	Services  []Service
	Workloads []Workload
}

// Service is one ServiceEntry with one port. Its workloads are those whose
// Workload.Service names it.
type Service struct {
	Name     string // short name; the host is <name>.<namespace>.svc.cluster.local
	Port     uint32
	Protocol Protocol
}

// Workload is one WorkloadEntry, its sidecar and (optionally) its app.
type Workload struct {
	Name    string // WorkloadEntry name, e.g. reviews-v2
	Service string // the service it serves; "" for a client that only calls out
	Version string // `version` label
	// Calls are the services the app reaches through its sidecar's egress listeners.
	Calls []string
	// App is the sample app to run; nil runs no app (the caller brings its own
	// or the workload only sends traffic).
	App *App
}

// App is how to run a workload's app: `loom sample-app --kind Kind ... Args`.
type App struct {
	Kind sampleapp.Kind
	Args []string
}

// maxWorkloads bounds a mesh to what one address block holds.
const maxWorkloads = 99

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func (s *Spec) namespace() string {
	if s.Namespace == "" {
		return "default"
	}
	return s.Namespace
}

// Validate checks names, references and that the egress listeners a workload
// needs can exist side by side.
func (s *Spec) Validate() error {
	if !dnsLabel.MatchString(s.namespace()) {
		return fmt.Errorf("namespace %q: must be a DNS label", s.Namespace)
	}
	if len(s.Workloads) == 0 || len(s.Workloads) > maxWorkloads {
		return fmt.Errorf("workloads: want 1..%d, got %d", maxWorkloads, len(s.Workloads))
	}
	for i, svc := range s.Services {
		if err := s.validateService(i, svc); err != nil {
			return err
		}
	}
	labels := map[[2]string]string{}
	for i, w := range s.Workloads {
		if err := s.validateWorkload(i, w); err != nil {
			return err
		}
		key := [2]string{w.appLabel(), w.Version}
		if other, dup := labels[key]; dup {
			return fmt.Errorf("workloads[%d] %s: labels app=%s version=%s already used by %s", i, w.Name, key[0], key[1], other)
		}
		labels[key] = w.Name
	}
	return nil
}

func (s *Spec) validateService(i int, svc Service) error {
	if !dnsLabel.MatchString(svc.Name) {
		return fmt.Errorf("services[%d].name %q: must be a DNS label", i, svc.Name)
	}
	if svc.Port == 0 || svc.Port > 65535 {
		return fmt.Errorf("services[%d] %s: port %d: must be 1..65535", i, svc.Name, svc.Port)
	}
	if !slices.Contains([]Protocol{HTTP, HTTP2, GRPC, TCP}, svc.Protocol) {
		return fmt.Errorf("services[%d] %s: protocol %q: must be HTTP, HTTP2, GRPC or TCP", i, svc.Name, svc.Protocol)
	}
	if slices.IndexFunc(s.Services[:i], func(o Service) bool { return o.Name == svc.Name }) >= 0 {
		return fmt.Errorf("services[%d] %s: duplicate name", i, svc.Name)
	}
	return nil
}

func (s *Spec) validateWorkload(i int, w Workload) error {
	if !dnsLabel.MatchString(w.Name) || !dnsLabel.MatchString(w.Version) {
		return fmt.Errorf("workloads[%d]: name %q and version %q must be DNS labels", i, w.Name, w.Version)
	}
	if slices.IndexFunc(s.Workloads[:i], func(o Workload) bool { return o.Name == w.Name }) >= 0 {
		return fmt.Errorf("workloads[%d] %s: duplicate name", i, w.Name)
	}
	if w.Service != "" && s.service(w.Service) == nil {
		return fmt.Errorf("workloads[%d] %s: service %q: no such service", i, w.Name, w.Service)
	}
	for _, c := range w.Calls {
		if s.service(c) == nil {
			return fmt.Errorf("workloads[%d] %s: calls %q: no such service", i, w.Name, c)
		}
	}
	_, err := s.egressListeners(w)
	if err != nil {
		return fmt.Errorf("workloads[%d] %s: %w", i, w.Name, err)
	}
	return nil
}

func (s *Spec) service(name string) *Service {
	i := slices.IndexFunc(s.Services, func(svc Service) bool { return svc.Name == name })
	if i < 0 {
		return nil
	}
	return &s.Services[i]
}

// host is a service's FQDN, as Kubernetes names it.
func (s *Spec) host(service string) string {
	return service + "." + s.namespace() + ".svc.cluster.local"
}

func (w Workload) appLabel() string {
	if w.Service != "" {
		return w.Service
	}
	return w.Name
}

// egressListener is one Sidecar egress listener: one port, the hosts behind it.
type egressListener struct {
	Port     uint32
	Protocol Protocol
	Services []string
}

// egressListeners groups a workload's calls by port. HTTP-family services may
// share a port (the listener routes by Host); a TCP service needs a port of its own.
func (s *Spec) egressListeners(w Workload) ([]egressListener, error) {
	var out []egressListener
	for _, name := range w.Calls {
		svc := s.service(name)
		i := slices.IndexFunc(out, func(l egressListener) bool { return l.Port == svc.Port })
		if i < 0 {
			out = append(out, egressListener{Port: svc.Port, Protocol: svc.Protocol, Services: []string{name}})
			continue
		}
		if out[i].Protocol != svc.Protocol || svc.Protocol == TCP {
			return nil, fmt.Errorf("calls %s and %s: both on port %d; a TCP service, or services of different protocols, need ports of their own",
				out[i].Services[0], name, svc.Port)
		}
		out[i].Services = append(out[i].Services, name)
	}
	return out, nil
}

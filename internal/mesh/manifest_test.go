package mesh

import (
	"flag"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/loom-mesh/loom/internal/sampleapp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestManifestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"bookinfo", Bookinfo()},
		{"echo", Spec{
			Namespace: "echo",
			Services:  []Service{{Name: "grpc-echo", Port: 9090, Protocol: GRPC}, {Name: "tcp-echo", Port: 9000, Protocol: TCP}},
			Workloads: []Workload{
				{Name: "client", Version: "v1", Calls: []string{"grpc-echo", "tcp-echo"}},
				{Name: "grpc-echo-v1", Service: "grpc-echo", Version: "v1", App: &App{Kind: sampleapp.KindGRPCEcho}},
				{Name: "tcp-echo-v1", Service: "tcp-echo", Version: "v1", App: &App{Kind: sampleapp.KindTCPEcho}},
			},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.spec.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := Manifest(&tc.spec, Plan{Block: 7})
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestSpecValidate(t *testing.T) {
	http := func(name string, port uint32) Service { return Service{Name: name, Port: port, Protocol: HTTP} }
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"bookinfo", Bookinfo(), ""},
		{"no workloads", Spec{}, "workloads: want 1..99, got 0"},
		{"bad service name", Spec{Services: []Service{http("Reviews", 1)}, Workloads: []Workload{{Name: "a", Version: "v1"}}},
			`services[0].name "Reviews": must be a DNS label`},
		{"bad protocol", Spec{Services: []Service{{Name: "a", Port: 1, Protocol: "UDP"}}, Workloads: []Workload{{Name: "a", Version: "v1"}}},
			`services[0] a: protocol "UDP": must be HTTP, HTTP2, GRPC or TCP`},
		{"unknown service", Spec{Workloads: []Workload{{Name: "a", Service: "b", Version: "v1"}}},
			`workloads[0] a: service "b": no such service`},
		{"unknown call", Spec{Workloads: []Workload{{Name: "a", Version: "v1", Calls: []string{"b"}}}},
			`workloads[0] a: calls "b": no such service`},
		{"duplicate labels", Spec{Services: []Service{http("s", 1)}, Workloads: []Workload{
			{Name: "a", Service: "s", Version: "v1"}, {Name: "b", Service: "s", Version: "v1"}}},
			"workloads[1] b: labels app=s version=v1 already used by a"},
		{"tcp shares port", Spec{
			Services:  []Service{{Name: "t", Port: 9000, Protocol: TCP}, {Name: "u", Port: 9000, Protocol: TCP}},
			Workloads: []Workload{{Name: "c", Version: "v1", Calls: []string{"t", "u"}}}},
			"workloads[0] c: calls t and u: both on port 9000; a TCP service, or services of different protocols, need ports of their own"},
		{"http shares port", Spec{
			Services:  []Service{http("t", 9080), http("u", 9080)},
			Workloads: []Workload{{Name: "c", Version: "v1", Calls: []string{"t", "u"}}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.spec.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	p := Plan{Block: 7}
	got := []string{p.ControlPlaneXDS(), p.ControlPlaneAdmin(), p.WorkloadIP(0).String(), p.EgressIP(2).String(), p.ProxyAdmin(1), p.AppAddr(0)}
	want := []string{"127.7.0.1:15010", "127.7.0.1:15014", "127.7.1.1", "127.7.2.3", "127.7.1.2:15000", "127.0.0.1:20701"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if last := (Plan{Block: MaxBlock}).AppAddr(maxWorkloads - 1); last != "127.0.0.1:32099" {
		t.Errorf("last app address %s, want 127.0.0.1:32099, below the ephemeral range", last)
	}
	for _, b := range []int{0, MaxBlock + 1} {
		if (Plan{Block: b}).Validate() == nil {
			t.Errorf("block %d accepted", b)
		}
	}
}

func TestLeaseIsExclusive(t *testing.T) {
	a, err := acquireFirstFree(MaxBlock-5, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer a.release()
	if _, err := acquire(a.plan.Block, 3); err == nil {
		t.Fatalf("block %d leased twice", a.plan.Block)
	}
	b, err := acquireFirstFree(a.plan.Block, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer b.release()
	if b.plan.Block <= a.plan.Block {
		t.Errorf("second lease got block %d, want one after %d", b.plan.Block, a.plan.Block)
	}
	// An app port taken by someone else makes the launcher skip that block.
	next := Plan{Block: b.plan.Block + 1}
	busy, err := net.Listen("tcp", next.AppAddr(1))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if _, err := acquire(next.Block, 2); err == nil {
		t.Errorf("block %d leased although %s is in use", next.Block, next.AppAddr(1))
	}
}

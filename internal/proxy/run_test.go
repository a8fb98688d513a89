package proxy

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	good := Config{ControlPlane: "127.0.0.1:15010", Namespace: "default", Workload: "reviews-v1"}
	tests := []struct {
		name string
		edit func(*Config)
		want string // error prefix; "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"no control plane", func(c *Config) { c.ControlPlane = "" }, "--control-plane: required"},
		{"control plane without port", func(c *Config) { c.ControlPlane = "localhost" }, `--control-plane "localhost": want host:port`},
		{"bad port", func(c *Config) { c.ControlPlane = "h:99999" }, `--control-plane "h:99999": port "99999"`},
		{"no namespace", func(c *Config) { c.Namespace = "" }, "--namespace: required"},
		{"no workload", func(c *Config) { c.Workload = "" }, "--workload: required"},
		{"negative concurrency", func(c *Config) { c.Concurrency = -1 }, "--concurrency -1"},
		{"negative drain", func(c *Config) { c.DrainDuration = -time.Second }, "--drain-duration -1s"},
		{"bad admin address", func(c *Config) { c.AdminAddress = ":x" }, `--admin-address ":x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			err := c.WithDefaults().Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
				t.Errorf("Validate() = %q, want prefix %q", got, tt.want)
			}
		})
	}
	if got, want := (Config{}).WithDefaults(), (Config{Concurrency: 1, DrainDuration: 5 * time.Second}); got != want {
		t.Errorf("defaults = %+v, want %+v", got, want)
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Without a control plane the proxy still starts its admin endpoint (not
// ready), and stops promptly on cancel.
func TestRunWithoutControlPlane(t *testing.T) {
	admin := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Config{ControlPlane: freePort(t), Namespace: "default", Workload: "w", AdminAddress: admin, DrainDuration: time.Second}, testLogger(t))
	}()
	var resp *http.Response
	waitFor(t, func() bool {
		var err error
		resp, err = http.Get("http://" + admin + "/ready")
		return err == nil
	})
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 503 || !strings.HasPrefix(string(body), "INITIALIZING") {
		t.Errorf("/ready = %d %q, want 503 INITIALIZING", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

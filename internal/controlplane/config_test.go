package controlplane

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		cfg     Config
		wantErr []string
	}{
		{"defaults", Config{ConfigDir: dir}, nil},
		{"no dir", Config{}, []string{"config-dir: required"}},
		{"missing dir", Config{ConfigDir: dir + "/nope"}, []string{"config-dir: stat"}},
		{"bad addresses", Config{ConfigDir: dir, XDSAddress: "15010", AdminAddress: "localhost"},
			[]string{"xds-address: \"15010\": want host:port", "admin-address: \"localhost\": want host:port"}},
		{"max below quiet", Config{ConfigDir: dir, DebounceQuiet: time.Second, DebounceMax: time.Millisecond},
			[]string{"debounce-max (1ms): must be at least debounce-quiet (1s)"}},
		{"negative", Config{ConfigDir: dir, DebounceQuiet: -time.Second}, []string{"must not be negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v", tt.cfg)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

package xdsdecode

import (
	"errors"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestErrorPaths(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{At(Errorf("match", "bad"), "routes[2]"), "routes[2].match: bad"},
		{At(At(Errorf("", "bad"), "[1]"), "routes"), "routes[1]: bad"},
		{At(errors.New("plain"), "x"), "x: plain"},
		{ForResource("route", "9080", At(Errorf("a", "b"), "c")), "route 9080: c.a: b"},
		{ForResource("cluster", "", Errorf("", "r")), `cluster "": r`},
		{Atf(Errorf("k", "v"), "%s", Key("m", "x")), `m["x"].k: v`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if At(nil, "x") != nil || ForResource("a", "b", nil) != nil {
		t.Error("nil errors must stay nil")
	}
}

func TestOnlyFields(t *testing.T) {
	sa := &corev3.SocketAddress{Address: "1.2.3.4", ResolverName: "dns"}
	if err := OnlyFields(sa, "address", "resolver_name"); err != nil {
		t.Errorf("allowed fields rejected: %v", err)
	}
	if err := OnlyFields(sa, "address"); err == nil || err.Error() != "resolver_name: not supported" {
		t.Errorf("got %v", err)
	}
	if err := OnlyFields((*corev3.SocketAddress)(nil)); err != nil {
		t.Errorf("nil message: %v", err)
	}
}

func TestRegex(t *testing.T) {
	full, err := Regex(&matcherv3.RegexMatcher{Regex: "a|b"}, true)
	if err != nil {
		t.Fatal(err)
	}
	search, err := Regex(&matcherv3.RegexMatcher{Regex: "a|b"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if full.MatchString("ab") || !full.MatchString("b") || !search.MatchString("xax") {
		t.Errorf("full %v, search %v", full, search)
	}
	if _, err := Regex(&matcherv3.RegexMatcher{Regex: "a(?=b)"}, true); err == nil {
		t.Error("lookahead (not RE2) accepted")
	}
}

func TestDurations(t *testing.T) {
	tests := []struct {
		d    *durationpb.Duration
		want time.Duration
	}{
		{nil, time.Hour},
		{durationpb.New(0), Disabled},
		{durationpb.New(time.Second), time.Second},
	}
	for _, tt := range tests {
		if got, err := IdleTimeout(tt.d, time.Hour, "idle"); err != nil || got != tt.want {
			t.Errorf("IdleTimeout(%v) = %v, %v; want %v", tt.d, got, err, tt.want)
		}
	}
	if _, err := Duration(durationpb.New(-time.Second), 0, "t"); err == nil || err.Error() != "t: must not be negative" {
		t.Errorf("negative: %v", err)
	}
}

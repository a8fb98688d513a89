package sampleapp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startApp serves cfg on a fresh loopback port until the test ends.
func startApp(t *testing.T, cfg Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = ln.Addr().String()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, cfg, ln, slog.New(slog.DiscardHandler)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s %s: %v", cfg.Name, cfg.Version, err)
		}
	})
	return cfg.Listen
}

func getReply(t *testing.T, url string, hdr http.Header) (int, *Reply) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = hdr
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r Reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s: %v in %q", url, err, body)
	}
	return resp.StatusCode, &r
}

func bookinfoApps(t *testing.T, reviewsVersion string, ratingsAddr string) string {
	ratings := ratingsAddr
	if ratings == "" {
		ratings = startApp(t, Config{Kind: KindBookinfo, Name: Ratings, Version: "v1"})
	}
	details := startApp(t, Config{Kind: KindBookinfo, Name: Details, Version: "v1"})
	reviews := startApp(t, Config{Kind: KindBookinfo, Name: Reviews, Version: reviewsVersion,
		Upstreams: map[string]string{Ratings: ratings}})
	return startApp(t, Config{Kind: KindBookinfo, Name: ProductPage, Version: "v1",
		Upstreams: map[string]string{Details: details, Reviews: reviews}})
}

func TestProductPageShowsWhatServedAndPropagatesHeaders(t *testing.T) {
	for _, tc := range []struct{ reviews, stars string }{{"v1", ""}, {"v2", "black"}, {"v3", "red"}} {
		t.Run("reviews-"+tc.reviews, func(t *testing.T) {
			pp := bookinfoApps(t, tc.reviews, "")
			hdr := http.Header{"End-User": {"jason"}, "X-Request-Id": {"req-1"}}
			status, r := getReply(t, "http://"+pp+"/productpage", hdr)
			if status != 200 || len(r.Failures()) != 0 {
				t.Fatalf("status %d, failures %v", status, r.Failures())
			}
			if got := r.ReviewsVersion(); got != tc.reviews {
				t.Errorf("reviews version %q, want %q", got, tc.reviews)
			}
			rv := r.Reviews.Reply
			if rv.EndUser != "jason" || rv.RequestID != "req-1" || r.Details.Reply.EndUser != "jason" {
				t.Errorf("headers not propagated: reviews %+v, details %+v", rv, r.Details.Reply)
			}
			stars, _ := rv.Content["stars"].(string)
			if stars != tc.stars {
				t.Errorf("stars %q, want %q", stars, tc.stars)
			}
			if (rv.Ratings != nil) != (tc.reviews != "v1") {
				t.Errorf("ratings called: %v, want %v", rv.Ratings != nil, tc.reviews != "v1")
			}
		})
	}
}

func TestFailedUpstreamIsReported(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := dead.Addr().String()
	dead.Close()
	pp := bookinfoApps(t, "v2", addr)
	status, r := getReply(t, "http://"+pp+"/productpage", nil)
	if status != 200 {
		t.Fatalf("status %d, want 200 (degraded page)", status)
	}
	f := r.Failures()
	if len(f) != 1 || f[0][:len("reviews/ratings: 0")] != "reviews/ratings: 0" {
		t.Errorf("failures %q, want one for reviews/ratings", f)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{Kind: KindBookinfo, Name: Ratings, Listen: "127.0.0.1:1"}, ""},
		{"no name", Config{Kind: KindBookinfo, Listen: "127.0.0.1:1"}, "name: required"},
		{"bad listen", Config{Kind: KindTCPEcho, Name: "x", Listen: "nope"}, `listen "nope": address nope: missing port in address`},
		{"bad kind", Config{Kind: "ftp", Name: "x", Listen: ":1"}, `kind "ftp": must be one of bookinfo, http-echo, grpc-echo, tcp-echo`},
		{"unknown bookinfo", Config{Kind: KindBookinfo, Name: "cart", Listen: ":1"}, `name "cart": a bookinfo app is one of productpage, details, reviews, ratings`},
		{"missing upstream", Config{Kind: KindBookinfo, Name: Reviews, Version: "v2", Listen: ":1"}, "upstream ratings: required by reviews v2"},
		{"reviews v1 needs none", Config{Kind: KindBookinfo, Name: Reviews, Version: "v1", Listen: ":1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.cfg.Validate(); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

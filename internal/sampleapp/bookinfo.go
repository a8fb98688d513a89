package sampleapp

import (
	"encoding/json"
	"net/http"
	"sync"
)

// bookinfo serves one Bookinfo service.
type bookinfo struct {
	cfg *Config
	up  *upstreams
}

func newBookinfo(cfg *Config) *bookinfo {
	return &bookinfo{cfg: cfg, up: newUpstreams(cfg.Upstreams, cfg.UpstreamTimeout)}
}

func (b *bookinfo) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	switch b.cfg.Name {
	case ProductPage:
		mux.HandleFunc("GET /productpage", b.productPage)
		mux.HandleFunc("GET /{$}", b.productPage)
	case Details:
		mux.HandleFunc("GET /details/{id}", b.details)
	case Reviews:
		mux.HandleFunc("GET /reviews/{id}", b.reviews)
	case Ratings:
		mux.HandleFunc("GET /ratings/{id}", b.ratings)
	}
	return mux
}

func (b *bookinfo) reply(r *http.Request) *Reply {
	return &Reply{
		Service:   b.cfg.Name,
		Version:   b.cfg.Version,
		EndUser:   r.Header.Get("end-user"),
		RequestID: r.Header.Get("x-request-id"),
	}
}

// productPage calls details and reviews concurrently. Like Bookinfo's page it
// answers 200 with whatever it got; failed parts show up in Reply.Failures.
func (b *bookinfo) productPage(w http.ResponseWriter, r *http.Request) {
	out := b.reply(r)
	out.Content = map[string]any{"product": "The Comedy of Errors"}
	var wg sync.WaitGroup
	wg.Go(func() { out.Details = b.up.get(r.Context(), Details, "/details/0", r.Header) })
	wg.Go(func() { out.Reviews = b.up.get(r.Context(), Reviews, "/reviews/0", r.Header) })
	wg.Wait()
	writeJSON(w, http.StatusOK, out)
}

func (b *bookinfo) details(w http.ResponseWriter, r *http.Request) {
	out := b.reply(r)
	out.Content = map[string]any{
		"id": r.PathValue("id"), "author": "William Shakespeare", "year": 1595,
		"type": "paperback", "pages": 200, "publisher": "PublisherA", "language": "English",
	}
	writeJSON(w, http.StatusOK, out)
}

// reviews v1 shows no stars; v2 black and v3 red stars, from ratings.
func (b *bookinfo) reviews(w http.ResponseWriter, r *http.Request) {
	out := b.reply(r)
	out.Content = map[string]any{"id": r.PathValue("id"), "reviewers": []string{"Reviewer1", "Reviewer2"}}
	switch b.cfg.Version {
	case "v1":
	case "v3":
		out.Content["stars"] = "red"
		out.Ratings = b.up.get(r.Context(), Ratings, "/ratings/"+r.PathValue("id"), r.Header)
	default:
		out.Content["stars"] = "black"
		out.Ratings = b.up.get(r.Context(), Ratings, "/ratings/"+r.PathValue("id"), r.Header)
	}
	writeJSON(w, http.StatusOK, out)
}

func (b *bookinfo) ratings(w http.ResponseWriter, r *http.Request) {
	out := b.reply(r)
	out.Content = map[string]any{"id": r.PathValue("id"), "ratings": map[string]int{"Reviewer1": 5, "Reviewer2": 4}}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

package sampleapp

import "fmt"

// Reply is the JSON body every Bookinfo app answers with. Nested calls carry
// what the app got from its upstreams, so a client of productpage sees which
// version of reviews (and ratings) served it.
type Reply struct {
	Service   string `json:"service"`
	Version   string `json:"version"`
	EndUser   string `json:"end_user,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Content is the app's own data (the book, its reviews, the stars).
	Content map[string]any `json:"content,omitempty"`
	Details *Call          `json:"details,omitempty"`
	Reviews *Call          `json:"reviews,omitempty"`
	Ratings *Call          `json:"ratings,omitempty"`
}

// Call is the outcome of one upstream request: its HTTP status (0 when no
// response came back), the error text when it failed, and the reply when it
// answered with one.
type Call struct {
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
	Reply  *Reply `json:"reply,omitempty"`
}

// OK says whether the call got a 200 with a reply.
func (c *Call) OK() bool { return c != nil && c.Status == 200 && c.Reply != nil }

// Failures lists every nested call that did not succeed, as
// `reviews/ratings: 500 fault filter abort`; empty when the whole tree served.
func (r *Reply) Failures() []string {
	var out []string
	r.walk("", func(path string, c *Call) {
		if !c.OK() {
			out = append(out, fmt.Sprintf("%s: %d %s", path, c.Status, c.Error))
		}
	})
	return out
}

func (r *Reply) walk(prefix string, visit func(string, *Call)) {
	for _, nc := range []struct {
		name string
		call *Call
	}{{Details, r.Details}, {Reviews, r.Reviews}, {Ratings, r.Ratings}} {
		if nc.call == nil {
			continue
		}
		path := prefix + nc.name
		visit(path, nc.call)
		if nc.call.Reply != nil {
			nc.call.Reply.walk(path+"/", visit)
		}
	}
}

// ReviewsVersion is the version of reviews that served this productpage reply,
// or "" when reviews did not answer.
func (r *Reply) ReviewsVersion() string {
	if r.Reviews == nil || r.Reviews.Reply == nil {
		return ""
	}
	return r.Reviews.Reply.Version
}

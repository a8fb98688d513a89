package h2

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"
)

// A retry starts while the body is still replayable; the abandoned
// attempt's blocked read then pushes the copy past the limit. The retry must
// fail rather than send the body with its first bytes missing.
func TestReplayBodyRetryNeverSendsATruncatedBody(t *testing.T) {
	pr, pw := io.Pipe()
	b := newReplayBody(&http.Request{Body: pr})
	first := bytes.Repeat([]byte("A"), replayLimit-4<<10)
	go pw.Write(first)
	a1 := b.attempt(nil)
	buf := make([]byte, replayLimit)
	for got := 0; got < len(first); {
		n, err := a1.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	blocked := make(chan struct{})
	go func() { a1.Read(buf); close(blocked) }() // the first attempt's transport, still reading
	time.Sleep(20 * time.Millisecond)
	if !b.replayable() {
		t.Fatal("body under the limit is not replayable")
	}
	a2 := b.attempt(nil) // the retry
	pw.Write(bytes.Repeat([]byte("B"), 8<<10))
	<-blocked
	go func() { pw.Write([]byte("CCCC")); pw.Close() }()
	sent, err := io.ReadAll(a2)
	if !errors.Is(err, errBodyLost) {
		t.Errorf("retry read %d bytes, err %v; want errBodyLost", len(sent), err)
	}
	if len(sent) > 0 && sent[0] != 'A' {
		t.Errorf("retry sent a body starting %q, want the body's first bytes", sent[:1])
	}
}

// The normal case: a retry after the first attempt read part of the body
// sends the whole body, kept bytes then the rest of the stream.
func TestReplayBodyRetrySendsTheWholeBody(t *testing.T) {
	pr, pw := io.Pipe()
	b := newReplayBody(&http.Request{Body: pr})
	go func() { pw.Write([]byte("hello ")); pw.Write([]byte("world")); pw.Close() }()
	a1 := b.attempt(nil)
	buf := make([]byte, 6)
	if n, err := io.ReadFull(a1, buf); n != 6 || err != nil {
		t.Fatalf("first attempt read %d, %v", n, err)
	}
	a2 := b.attempt(nil)
	all, err := io.ReadAll(a2)
	if err != nil || string(all) != "hello world" {
		t.Errorf("retry sent %q, %v; want \"hello world\"", all, err)
	}
	if _, err := a1.Read(buf); !errors.Is(err, errAttemptOver) {
		t.Errorf("ended attempt read: %v, want errAttemptOver", err)
	}
}

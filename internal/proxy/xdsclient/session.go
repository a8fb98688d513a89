package xdsclient

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// session is one ADS stream's bookkeeping. It lives on the Run goroutine;
// its receive goroutine only hands responses over.
type session struct {
	c      *Client
	tr     transport
	cancel context.CancelFunc // ends the stream, and with it the receive goroutine
	// Per type URL: names last requested, whether requested at all, the last
	// nonce, the version last ACKed and the version last NACKed.
	sent    map[string][]string
	started map[string]bool
	nonce   map[string]string
	acked   map[string]string
	nacked  map[string]string
	// delayed holds a NACK held back because it repeats the previous one.
	delayed   map[string]request
	delayTime deadline
	healthy   bool // a response arrived
}

// runStream dials, runs one ADS stream until it fails or ctx ends, and
// reports whether the stream received anything.
func (c *Client) runStream(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := c.cfg.DialOptions
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	conn, err := grpc.NewClient(c.cfg.ControlPlane, opts...)
	if err != nil {
		return false, fmt.Errorf("dial %s: %w", c.cfg.ControlPlane, err)
	}
	defer conn.Close()
	tr, err := c.openStream(ctx, conn)
	if err != nil {
		return false, err
	}
	s := &session{
		c: c, tr: tr, cancel: cancel,
		sent: map[string][]string{}, started: map[string]bool{}, nonce: map[string]string{},
		acked: map[string]string{}, nacked: map[string]string{}, delayed: map[string]request{},
	}
	defer s.delayTime.stop()
	err = s.run(ctx)
	return s.healthy, err
}

func (s *session) run(ctx context.Context) error {
	responses := make(chan response)
	recvErr := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		recvErr <- s.receive(ctx, responses)
	}()
	defer func() {
		s.cancel() // unblocks Recv
		wg.Wait()
	}()
	if err := s.subscribe(true); err != nil {
		return err
	}
	for {
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err = <-recvErr:
			return err
		case r := <-responses:
			err = s.handle(r)
		case <-s.c.warmTimer.C():
			s.c.settle(time.Now())
			err = s.subscribe(false)
		case <-s.delayTime.C():
			err = s.sendDelayed()
		}
		if err != nil {
			return err
		}
	}
}

// receive hands responses to the run loop until the stream fails.
func (s *session) receive(ctx context.Context, out chan<- response) error {
	for {
		r, err := s.tr.recv()
		if err != nil {
			return fmt.Errorf("receive: %w", err)
		}
		select {
		case out <- r:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// subscribe sends a request for every type whose subscription changed; with
// initial, the first requests of the stream (wildcard types included).
func (s *session) subscribe(initial bool) error {
	for _, k := range s.c.kinds() {
		names := s.c.wanted(k)
		if k.wildcard && !initial || !k.wildcard && s.started[k.typeURL] && slices.Equal(names, s.sent[k.typeURL]) {
			continue
		}
		if !k.wildcard && !s.started[k.typeURL] && len(names) == 0 {
			continue // nothing to ask for yet; never send an empty (legacy wildcard) first request
		}
		req := request{typeURL: k.typeURL, names: names, nonce: s.nonce[k.typeURL], version: s.acked[k.typeURL]}
		if !s.started[k.typeURL] {
			req.known = s.c.known(k.typeURL, names)
		}
		if err := s.send(req); err != nil {
			return err
		}
	}
	return nil
}

func (s *session) send(req request) error {
	s.started[req.typeURL] = true
	s.sent[req.typeURL] = req.names
	delete(s.delayed, req.typeURL) // superseded
	if err := s.tr.send(req); err != nil {
		return fmt.Errorf("send %s request: %w", req.typeURL, err)
	}
	return nil
}

// handle applies a response, then ACKs or NACKs it and updates the
// subscriptions it changed.
func (s *session) handle(r response) error {
	if !s.healthy {
		s.healthy = true
		s.c.setConnected()
	}
	s.nonce[r.typeURL] = r.nonce
	k := kindOf(r.typeURL)
	if k == nil {
		return s.send(request{typeURL: r.typeURL, nonce: r.nonce, nack: fmt.Errorf("type %s: not subscribed", r.typeURL)})
	}
	r.update.kind = k
	now := time.Now()
	errs := s.c.applyResponse(r.update, now)
	req := request{typeURL: k.typeURL, names: s.c.wanted(k), nonce: r.nonce, version: r.update.version}
	if len(errs) == 0 {
		s.acked[k.typeURL] = r.update.version
		delete(s.nacked, k.typeURL)
	} else {
		req.version, req.nack = s.acked[k.typeURL], errors.Join(errs...)
		s.c.log.Warn("xDS response rejected", "type", k.short, "version", r.update.version, "detail", req.nack)
		if err := s.nackRepeated(k.typeURL, r.update.version, req, now); err != nil || s.delayed[k.typeURL].typeURL != "" {
			return err
		}
	}
	if err := s.send(req); err != nil {
		return err
	}
	return s.subscribe(false)
}

// nackRepeated holds back a NACK of the version NACKed just before: a
// state-of-the-world server answers a NACK by resending, and this keeps
// that loop to one exchange per NACKRepeatDelay.
func (s *session) nackRepeated(typeURL, version string, req request, now time.Time) error {
	prev, repeated := s.nacked[typeURL]
	s.nacked[typeURL] = version
	if !repeated || prev != version || s.c.cfg.Delta {
		return nil
	}
	s.delayed[typeURL] = req
	s.delayTime.set(now.Add(s.c.cfg.NACKRepeatDelay))
	return nil
}

func (s *session) sendDelayed() error {
	s.delayTime.stop()
	for _, k := range s.c.kinds() {
		if req, ok := s.delayed[k.typeURL]; ok {
			if err := s.send(req); err != nil {
				return err
			}
		}
	}
	return s.subscribe(false)
}

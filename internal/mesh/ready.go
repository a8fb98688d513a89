package mesh

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

const pollInterval = 20 * time.Millisecond

// waitFor polls check until it succeeds, ctx ends or p exits, whichever first.
func waitFor(ctx context.Context, p *Process, what string, check func(context.Context) error) error {
	t := time.NewTicker(pollInterval)
	defer t.Stop()
	var last error
	for {
		if last = check(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: not %s: %v (log %s:\n%s)", p.Name, what, last, p.LogPath(), p.LogTail(15))
		case <-p.Done():
			return fmt.Errorf("%s exited before %s: %v (log %s:\n%s)", p.Name, what, p.ExitErr(), p.LogPath(), p.LogTail(15))
		case <-t.C:
		}
	}
}

// listening checks that addr accepts TCP connections.
func listening(addr string) func(context.Context) error {
	return func(ctx context.Context) error {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
}

// answers200 checks that GET url answers 200.
func answers200(client *http.Client, url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

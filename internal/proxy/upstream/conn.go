package upstream

import (
	"time"

	"github.com/loom-mesh/loom/internal/proxy/http1"
)

// Conn is a pooled upstream HTTP/1.1 connection. Exactly one request uses it
// at a time; the user gives it back with Release.
type Conn struct {
	*http1.ClientConn
	pool     *h1Pool
	idleAt   time.Time
	deadline bool // a deadline was set for the current request
}

// Host is the endpoint the connection goes to.
func (c *Conn) Host() *Host { return c.pool.host }

// SetDeadline bounds the current request's I/O on the connection; Release
// clears it.
func (c *Conn) SetDeadline(t time.Time) {
	c.deadline = true
	c.Conn().SetDeadline(t)
}

// Release ends the current request. A connection that may carry another
// request (http1.ClientConn.Reusable) goes back to the pool; any other is
// closed.
func (c *Conn) Release() {
	if c.ClientConn.Reusable() {
		if c.deadline {
			c.deadline = false
			c.Conn().SetDeadline(time.Time{})
		}
		c.pool.put(c)
		return
	}
	c.pool.discard(c)
}

// Discard closes the connection whatever its state, e.g. when a deadline
// was set on it by someone who cannot tell whether it still matters.
func (c *Conn) Discard() { c.pool.discard(c) }

package httpconn

import (
	"net"

	"github.com/loom-mesh/loom/internal/proxy/tcpproxy"
	"github.com/loom-mesh/loom/internal/proxy/upstream"
)

// tunnel splices the client and upstream connections after a 101 Switching
// Protocols (WebSocket and other upgrades), until both sides are done.
func (c *conn) tunnel(uc *upstream.Conn) {
	c.splicing()
	down, downPending := c.sc.Detach()
	up, upPending := uc.Detach()
	defer down.Close()
	defer up.Close()
	if !writeAll(up, downPending) || !writeAll(down, upPending) {
		return
	}
	idle, _ := c.x.st.HCM.StreamTimeouts()
	tcpproxy.Splice(down, up, idle)
}

func writeAll(c net.Conn, b []byte) bool {
	if len(b) == 0 {
		return true
	}
	_, err := c.Write(b)
	return err == nil
}

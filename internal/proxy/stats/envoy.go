package stats

// Listener counts connections on one listener (Envoy's listener.<name>.*).
type Listener struct {
	CxTotal    Counter
	CxActive   Gauge
	CxDestroy  Counter
	BindErrors Counter
}

// HTTP counts requests of one HTTP connection manager (http.<prefix>.*).
type HTTP struct {
	RqTotal    Counter
	RqActive   Gauge
	Rq1xx      Counter
	Rq2xx      Counter
	Rq3xx      Counter
	Rq4xx      Counter
	Rq5xx      Counter
	NoRoute    Counter
	NoCluster  Counter
	FaultAbort Counter
	FaultDelay Counter
	RqTimeout  Counter
	// RqIdleTimeout counts streams ended by the stream idle timeout.
	RqIdleTimeout Counter
	DownstreamH2  Counter
}

// Response counts a response status by class.
func (h *HTTP) Response(status int) {
	switch status / 100 {
	case 1:
		h.Rq1xx.Inc()
	case 2:
		h.Rq2xx.Inc()
	case 3:
		h.Rq3xx.Inc()
	case 4:
		h.Rq4xx.Inc()
	default:
		h.Rq5xx.Inc()
	}
}

// Cluster counts upstream activity of one cluster (cluster.<name>.*).
type Cluster struct {
	CxTotal         Counter
	CxActive        Gauge
	CxConnectFail   Counter
	CxIdleTimeout   Counter
	CxRemoteClose   Counter
	CxOverflow      Counter
	RqTotal         Counter
	RqActive        Gauge
	RqPending       Gauge
	Rq2xx           Counter
	Rq3xx           Counter
	Rq4xx           Counter
	Rq5xx           Counter
	RqTimeout       Counter
	RqPerTryTimeout Counter
	RqRetry         Counter
	RqRetrySuccess  Counter
	RqRetryOverflow Counter
	RqReusedRetry   Counter // requests replayed after a reused connection failed before any response byte
	RqPendingOvfl   Counter
	NoHealthyHost   Counter
	BytesSent       Counter
	BytesReceived   Counter
}

// Response counts an upstream response status by class.
func (c *Cluster) Response(status int) {
	switch status / 100 {
	case 2:
		c.Rq2xx.Inc()
	case 3:
		c.Rq3xx.Inc()
	case 4:
		c.Rq4xx.Inc()
	case 5:
		c.Rq5xx.Inc()
	}
}

type namedValue struct {
	name  string
	value int64
}

func (l *Listener) values() []namedValue {
	return []namedValue{
		{"downstream_cx_total", int64(l.CxTotal.Value())},
		{"downstream_cx_active", l.CxActive.Value()},
		{"downstream_cx_destroy", int64(l.CxDestroy.Value())},
		{"bind_errors", int64(l.BindErrors.Value())},
	}
}

func (h *HTTP) values() []namedValue {
	return []namedValue{
		{"downstream_rq_total", int64(h.RqTotal.Value())},
		{"downstream_rq_active", h.RqActive.Value()},
		{"downstream_rq_1xx", int64(h.Rq1xx.Value())},
		{"downstream_rq_2xx", int64(h.Rq2xx.Value())},
		{"downstream_rq_3xx", int64(h.Rq3xx.Value())},
		{"downstream_rq_4xx", int64(h.Rq4xx.Value())},
		{"downstream_rq_5xx", int64(h.Rq5xx.Value())},
		{"downstream_rq_http2_total", int64(h.DownstreamH2.Value())},
		{"no_route", int64(h.NoRoute.Value())},
		{"no_cluster", int64(h.NoCluster.Value())},
		{"fault.aborts_injected", int64(h.FaultAbort.Value())},
		{"fault.delays_injected", int64(h.FaultDelay.Value())},
		{"downstream_rq_timeout", int64(h.RqTimeout.Value())},
		{"downstream_rq_idle_timeout", int64(h.RqIdleTimeout.Value())},
	}
}

func (c *Cluster) values() []namedValue {
	return []namedValue{
		{"upstream_cx_total", int64(c.CxTotal.Value())},
		{"upstream_cx_active", c.CxActive.Value()},
		{"upstream_cx_connect_fail", int64(c.CxConnectFail.Value())},
		{"upstream_cx_idle_timeout", int64(c.CxIdleTimeout.Value())},
		{"upstream_cx_destroy_remote", int64(c.CxRemoteClose.Value())},
		{"upstream_cx_overflow", int64(c.CxOverflow.Value())},
		{"upstream_rq_total", int64(c.RqTotal.Value())},
		{"upstream_rq_active", c.RqActive.Value()},
		{"upstream_rq_pending_active", c.RqPending.Value()},
		{"upstream_rq_2xx", int64(c.Rq2xx.Value())},
		{"upstream_rq_3xx", int64(c.Rq3xx.Value())},
		{"upstream_rq_4xx", int64(c.Rq4xx.Value())},
		{"upstream_rq_5xx", int64(c.Rq5xx.Value())},
		{"upstream_rq_timeout", int64(c.RqTimeout.Value())},
		{"upstream_rq_per_try_timeout", int64(c.RqPerTryTimeout.Value())},
		{"upstream_rq_retry", int64(c.RqRetry.Value())},
		{"upstream_rq_retry_success", int64(c.RqRetrySuccess.Value())},
		{"upstream_rq_retry_overflow", int64(c.RqRetryOverflow.Value())},
		{"upstream_rq_reused_connection_retry", int64(c.RqReusedRetry.Value())},
		{"upstream_rq_pending_overflow", int64(c.RqPendingOvfl.Value())},
		{"upstream_cx_none_healthy", int64(c.NoHealthyHost.Value())},
		{"upstream_cx_tx_bytes_total", int64(c.BytesSent.Value())},
		{"upstream_cx_rx_bytes_total", int64(c.BytesReceived.Value())},
	}
}

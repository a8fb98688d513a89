//lint:file-ignore SA1019 a deprecated total_weight is still checked against the weights, as Envoy does.

package route

import (
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"

	"github.com/loom-mesh/loom/internal/proxy/xdsdecode"
)

// Envoy's defaults for route fields left unset.
const (
	DefaultTimeout         = 15 * time.Second
	DefaultNumRetries      = 1
	DefaultBackoffBase     = 25 * time.Millisecond
	DefaultBackoffMaxRatio = 10 // max_interval defaults to 10 × base_interval
	// MaxDirectResponseBody is Envoy's default max_direct_response_body_size_bytes.
	MaxDirectResponseBody = 4096
)

func decodeForward(a *routev3.RouteAction) (*Forward, error) {
	if err := xdsdecode.OnlyFields(a, "cluster", "weighted_clusters", "timeout", "retry_policy",
		"prefix_rewrite", "regex_rewrite", "host_rewrite_literal"); err != nil {
		return nil, err
	}
	f := &Forward{PrefixRewrite: a.GetPrefixRewrite(), HostRewrite: a.GetHostRewriteLiteral()}
	var err error
	switch {
	case a.GetCluster() != "":
		f.Clusters, f.TotalWeight = []WeightedCluster{{Name: a.GetCluster(), Weight: 1}}, 1
	case a.GetWeightedClusters() != nil:
		if f.Clusters, f.TotalWeight, err = decodeWeighted(a.GetWeightedClusters()); err != nil {
			return nil, xdsdecode.At(err, "weighted_clusters")
		}
	default:
		return nil, xdsdecode.Errorf("", "want cluster or weighted_clusters")
	}
	if f.Timeout, err = xdsdecode.Duration(a.GetTimeout(), DefaultTimeout, "timeout"); err != nil {
		return nil, err
	}
	if rr := a.GetRegexRewrite(); rr != nil {
		if f.RegexRewrite, err = decodeRegexRewrite(rr, f.PrefixRewrite); err != nil {
			return nil, xdsdecode.At(err, "regex_rewrite")
		}
	}
	if rp := a.GetRetryPolicy(); rp != nil {
		if f.Retry, err = decodeRetry(rp); err != nil {
			return nil, xdsdecode.At(err, "retry_policy")
		}
	}
	return f, nil
}

func decodeWeighted(w *routev3.WeightedCluster) ([]WeightedCluster, uint32, error) {
	if err := xdsdecode.OnlyFields(w, "clusters", "total_weight"); err != nil {
		return nil, 0, err
	}
	var out []WeightedCluster
	var total uint64
	for i, c := range w.GetClusters() {
		wc, err := decodeWeightedCluster(c)
		if err != nil {
			return nil, 0, xdsdecode.At(err, xdsdecode.Index("clusters", i))
		}
		total += uint64(wc.Weight)
		out = append(out, wc)
	}
	if total == 0 || total > 1<<32-1 {
		return nil, 0, xdsdecode.Errorf("clusters", "sum of weights is %d: must be 1..4294967295", total)
	}
	if tw := w.GetTotalWeight(); tw != nil && uint64(tw.GetValue()) != total {
		return nil, 0, xdsdecode.Errorf("total_weight", "%d: the weights add up to %d", tw.GetValue(), total)
	}
	return out, uint32(total), nil
}

func decodeWeightedCluster(c *routev3.WeightedCluster_ClusterWeight) (WeightedCluster, error) {
	if err := xdsdecode.OnlyFields(c, "name", "weight",
		"request_headers_to_add", "request_headers_to_remove",
		"response_headers_to_add", "response_headers_to_remove"); err != nil {
		return WeightedCluster{}, err
	}
	if c.GetName() == "" {
		return WeightedCluster{}, xdsdecode.Errorf("name", "required")
	}
	wc := WeightedCluster{Name: c.GetName(), Weight: c.GetWeight().GetValue()}
	var err error
	if wc.RequestHeaders, err = decodeMutation(c.GetRequestHeadersToAdd(), c.GetRequestHeadersToRemove(), "request"); err != nil {
		return WeightedCluster{}, err
	}
	wc.ResponseHeaders, err = decodeMutation(c.GetResponseHeadersToAdd(), c.GetResponseHeadersToRemove(), "response")
	return wc, err
}

// decodeRegexRewrite converts regex_rewrite; the pattern searches (it is not
// anchored) and the substitution is turned into Go's Expand syntax.
func decodeRegexRewrite(rr *matcherv3.RegexMatchAndSubstitute, prefixRewrite string) (*RegexRewrite, error) {
	if prefixRewrite != "" {
		return nil, xdsdecode.Errorf("", "not allowed together with prefix_rewrite")
	}
	if err := xdsdecode.OnlyFields(rr, "pattern", "substitution"); err != nil {
		return nil, err
	}
	re, err := xdsdecode.Regex(rr.GetPattern(), false)
	if err != nil {
		return nil, xdsdecode.At(err, "pattern")
	}
	return &RegexRewrite{Pattern: re, Substitution: envoySubstitution(rr.GetSubstitution())}, nil
}

func decodeRedirect(r *routev3.RedirectAction) (*Redirect, error) {
	if err := xdsdecode.OnlyFields(r, "https_redirect", "scheme_redirect", "host_redirect",
		"port_redirect", "path_redirect", "prefix_rewrite", "response_code", "strip_query"); err != nil {
		return nil, err
	}
	out := &Redirect{
		Scheme: r.GetSchemeRedirect(), Host: r.GetHostRedirect(), Port: r.GetPortRedirect(),
		Path: r.GetPathRedirect(), PrefixRewrite: r.GetPrefixRewrite(), StripQuery: r.GetStripQuery(),
	}
	if r.GetHttpsRedirect() {
		out.Scheme = "https"
	}
	codes := map[routev3.RedirectAction_RedirectResponseCode]int{
		routev3.RedirectAction_MOVED_PERMANENTLY:  301,
		routev3.RedirectAction_FOUND:              302,
		routev3.RedirectAction_SEE_OTHER:          303,
		routev3.RedirectAction_TEMPORARY_REDIRECT: 307,
		routev3.RedirectAction_PERMANENT_REDIRECT: 308,
	}
	code, ok := codes[r.GetResponseCode()]
	if !ok {
		return nil, xdsdecode.Errorf("response_code", "%d: not supported", r.GetResponseCode())
	}
	out.Code = code
	return out, nil
}

func decodeDirect(d *routev3.DirectResponseAction) (*DirectResponse, error) {
	if err := xdsdecode.OnlyFields(d, "status", "body"); err != nil {
		return nil, err
	}
	out := &DirectResponse{Status: int(d.GetStatus())}
	body := d.GetBody()
	if err := xdsdecode.OnlyFields(body, "inline_bytes", "inline_string"); err != nil {
		return nil, xdsdecode.At(err, "body")
	}
	switch {
	case body.GetInlineBytes() != nil:
		out.Body = body.GetInlineBytes()
	case body.GetInlineString() != "":
		out.Body = []byte(body.GetInlineString())
	}
	if len(out.Body) > MaxDirectResponseBody {
		return nil, xdsdecode.Errorf("body", "%d bytes: larger than %d", len(out.Body), MaxDirectResponseBody)
	}
	return out, nil
}

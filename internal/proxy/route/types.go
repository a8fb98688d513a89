// Package route holds the proxy's plain, validated form of an Envoy
// RouteConfiguration, the code that decodes one from xDS, and request matching.
package route

import (
	"regexp"
	"time"
)

// Config is one validated RouteConfiguration.
type Config struct {
	Name         string
	VirtualHosts []*VirtualHost
}

// VirtualHost groups routes by the request's authority.
type VirtualHost struct {
	Name string
	// Domains as in Envoy: exact (`reviews`, `reviews:9080`), suffix wildcard
	// (`*.example.com`), prefix wildcard (`foo.*`) or `*`. Lowercase.
	Domains []string
	Routes  []*Route
	// RequestHeaders/ResponseHeaders apply to every route of the host.
	RequestHeaders  HeaderMutation
	ResponseHeaders HeaderMutation
}

// Route is one match and what to do with a request that matches it.
type Route struct {
	Name  string
	Match Match
	// Exactly one of Forward, Redirect and Direct is set.
	Forward  *Forward
	Redirect *Redirect
	Direct   *DirectResponse
	// Fault applies only when the listener's HCM has the fault filter.
	Fault           *Fault
	RequestHeaders  HeaderMutation
	ResponseHeaders HeaderMutation
}

// PathKind says how Match.Path compares.
type PathKind int

// Path kinds.
const (
	PathPrefix PathKind = iota // "/" matches everything
	PathExact
	PathRegex // the whole path (without the query) must match
)

// Match is an Envoy RouteMatch.
type Match struct {
	PathKind      PathKind
	Path          string
	PathRegex     *regexp.Regexp // anchored by the decoder: MatchString is a full match
	CaseSensitive bool           // default true
	Headers       []HeaderMatch
	Query         []QueryMatch
}

// StringKind says how a header or query value compares.
type StringKind int

// String match kinds.
const (
	StringExact StringKind = iota
	StringPrefix
	StringSuffix
	StringContains
	StringRegex
	StringPresent // the header/parameter exists, whatever its value
)

// HeaderMatch is an Envoy HeaderMatcher. Name is lowercase; pseudo-headers
// `:method`, `:authority`, `:scheme`, `:path` match the request line.
type HeaderMatch struct {
	Name       string
	Kind       StringKind
	Value      string
	Regex      *regexp.Regexp // anchored by the decoder: MatchString is a full match
	IgnoreCase bool
	Invert     bool
	// MissingAsEmpty: an absent header is matched as the empty value
	// (treat_missing_header_as_empty); presence matchers ignore it.
	MissingAsEmpty bool
}

// QueryMatch is an Envoy QueryParameterMatcher.
type QueryMatch struct {
	Name       string
	Kind       StringKind
	Value      string
	Regex      *regexp.Regexp
	IgnoreCase bool
}

// Forward sends the request to one of the weighted clusters.
type Forward struct {
	Clusters    []WeightedCluster
	TotalWeight uint32
	// Timeout bounds the whole request including retries; 0 means none.
	Timeout       time.Duration
	Retry         *RetryPolicy // nil: no retries
	PrefixRewrite string
	// RegexRewrite replaces matches of Pattern in the path with Substitution.
	RegexRewrite *RegexRewrite
	HostRewrite  string
}

// WeightedCluster is one destination of a Forward.
type WeightedCluster struct {
	Name            string
	Weight          uint32
	RequestHeaders  HeaderMutation
	ResponseHeaders HeaderMutation
}

// RegexRewrite is Envoy's regex_rewrite. Pattern is not anchored (it
// replaces every match); the decoder turns Envoy's `\1` substitutions into
// Go's `${1}`, so Pattern.ReplaceAllString(path, Substitution) applies it.
type RegexRewrite struct {
	Pattern      *regexp.Regexp
	Substitution string
}

// RetryOn is a set of Envoy retry conditions.
type RetryOn uint32

// Retry conditions, as Envoy's x-envoy-retry-on / x-envoy-retry-grpc-on names them.
const (
	Retry5xx RetryOn = 1 << iota
	RetryGatewayError
	RetryReset
	RetryConnectFailure
	RetryRetriable4xx
	RetryRefusedStream
	RetryRetriableStatusCodes
	RetryCancelled         // gRPC status
	RetryDeadlineExceeded  // gRPC status
	RetryResourceExhausted // gRPC status
	RetryUnavailable       // gRPC status
	RetryInternal          // gRPC status
)

// RetryPolicy is an Envoy RetryPolicy.
type RetryPolicy struct {
	On                   RetryOn
	NumRetries           uint32
	PerTryTimeout        time.Duration // 0: the route timeout
	RetriableStatusCodes []uint32
	// OtherHosts: envoy.retry_host_predicates.previous_hosts — retry on a host
	// not tried before when there is one.
	OtherHosts bool
	// HostSelectionMaxAttempts is Envoy's bound on re-drawing a host the
	// predicate rejects. Loom's pickers skip tried hosts exactly instead of
	// re-drawing, so it is kept for config dumps and needs no enforcing.
	HostSelectionMaxAttempts int64
	BackoffBase, BackoffMax  time.Duration // defaults 25 ms, 250 ms
}

// Redirect answers with a 3xx.
type Redirect struct {
	Scheme        string
	Host          string
	Port          uint32
	Path          string
	PrefixRewrite string
	StripQuery    bool
	Code          int // 301 by default
}

// DirectResponse answers without an upstream.
type DirectResponse struct {
	Status int
	Body   []byte
}

// Fault is envoy.extensions.filters.http.fault.v3.HTTPFault for one route.
// Percentages are in millionths.
type Fault struct {
	DelayMillionths uint32
	Delay           time.Duration
	AbortMillionths uint32
	AbortStatus     int // HTTP status; 0 when AbortGRPC is used
	AbortGRPC       int // gRPC status, with AbortGRPCSet
	AbortGRPCSet    bool
}

// HeaderMutation adds, sets and removes headers.
type HeaderMutation struct {
	Set    []Header // replace any existing values
	Add    []Header // append
	Remove []string // lowercase names
}

// Header is a name (lowercase) and value.
type Header struct {
	Name, Value string
}

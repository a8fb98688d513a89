package proxyconfig

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/loom-mesh/loom/internal/proxy/admin"
)

// headers per kind, as istioctl proxy-config names its columns.
var headers = map[string][]string{
	"listeners": {"ADDRESS", "PORT", "DIRECTION", "DESTINATION"},
	"routes":    {"NAME", "DOMAINS", "MATCH", "VIRTUAL SERVICE"},
	"clusters":  {"SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE"},
	"endpoints": {"ENDPOINT", "STATUS", "CLUSTER"},
}

// sortColumns is how many leading columns order the rows; the rest keep the
// proxy's order (filter chains of a listener, routes of a route
// configuration: their order decides what matches).
var sortColumns = map[string]int{"listeners": 2, "routes": 1, "clusters": 5, "endpoints": 3}

// rowsFuncs turn a kind's resources into table rows.
var rowsFuncs = map[string]func([]proto.Message) [][]string{
	"listeners": listenerRows,
	"routes":    routeRows,
	"clusters":  clusterRows,
	"endpoints": endpointRows,
}

func writeTable(w io.Writer, kind string, resources []json.RawMessage) error {
	msgs, err := decodeAll(resources)
	if err != nil {
		return err
	}
	rows := rowsFuncs[kind](msgs)
	n := sortColumns[kind]
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i][:n], rows[j][:n]) })
	tw := tabwriter.NewWriter(w, 0, 8, 3, ' ', 0)
	fmt.Fprintln(tw, strings.Join(headers[kind], "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// decodeAll reads each resource (an Any in JSON: "@type" plus fields).
// Types this binary does not link, deep inside a real Envoy's resources,
// are read as empty messages instead of failing.
func decodeAll(resources []json.RawMessage) ([]proto.Message, error) {
	out := make([]proto.Message, 0, len(resources))
	for i, r := range resources {
		var a anypb.Any
		if err := admin.UnmarshalJSON(r, &a); err != nil {
			return nil, fmt.Errorf("resource %d: %w", i, err)
		}
		m, err := a.UnmarshalNew()
		if err != nil {
			return nil, fmt.Errorf("resource %d (%s): %w", i, a.GetTypeUrl(), err)
		}
		out = append(out, m)
	}
	return out, nil
}

// less orders rows by their columns, comparing numbers as numbers.
func less(a, b []string) bool {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		x, errX := strconv.Atoi(a[i])
		y, errY := strconv.Atoi(b[i])
		if errX == nil && errY == nil {
			return x < y
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package demo

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// ANSI: cursor home, clear to end of screen.
const redraw = "\x1b[H\x1b[J"

// tableView renders the live table: redrawn in place on a terminal,
// appended (one block per refresh) otherwise.
type tableView struct {
	out    io.Writer
	tty    bool
	header []string
}

func (v *tableView) render(elapsed time.Duration, rows []Row, client ClientStats) {
	var b strings.Builder
	if v.tty {
		b.WriteString(redraw)
		for _, h := range v.header {
			b.WriteString(h + "\n")
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "--- %s\n", elapsed.Truncate(time.Second))
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SERVICE\tVERSION\tREQ/S\tSUCCESS\tP50 ms\tP99 ms\tTOTAL\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%.1f\t%s\t%s\t%s\t%.0f\t\n", r.ShortName(), r.Version, r.RPS,
			percent(r.SuccessRate), millis(r.P50), millis(r.P99), r.Total)
	}
	tw.Flush()
	fmt.Fprintf(&b, "client: %d requests sent, %d failed", client.Sent, client.Failed)
	if client.LastError != "" {
		fmt.Fprintf(&b, " (last: %s)", client.LastError)
	}
	b.WriteString("\n")
	io.WriteString(v.out, b.String())
}

func (v *tableView) printHeader() {
	if !v.tty {
		io.WriteString(v.out, strings.Join(v.header, "\n")+"\n")
	}
}

func percent(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*f)
}

func millis(f float64) string {
	if math.IsNaN(f) {
		return "-"
	}
	return fmt.Sprintf("%.2f", f)
}

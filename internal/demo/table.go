package demo

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// ANSI: cursor home, clear to end of screen.
const redraw = "\x1b[H\x1b[J"

// rowFormat lays out one table line: names left-aligned, figures right-aligned.
const rowFormat = "%-14s %-8s %8s %9s %8s %8s %9s\n"

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
	fmt.Fprintf(&b, rowFormat, "SERVICE", "VERSION", "REQ/S", "SUCCESS", "P50 ms", "P99 ms", "TOTAL")
	for _, r := range rows {
		fmt.Fprintf(&b, rowFormat, r.ShortName(), r.Version, fmt.Sprintf("%.1f", r.RPS),
			percent(r.SuccessRate), millis(r.P50), millis(r.P99), fmt.Sprintf("%.0f", r.Total))
	}
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

package main

import (
	"fmt"
	neturl "net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

type row struct {
	what, target, measured string
	ok                     bool
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func us(d time.Duration) string { return fmt.Sprintf("%d µs", d.Microseconds()) }

func neturlParse(s string) (*neturl.URL, error) { return neturl.Parse(s) }

func contains(list []string, s string) bool { return slices.Contains(list, s) }

func slicesFilter[T any](s []T, keep func(T) bool) []T {
	var out []T
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// table prints a Markdown table, each column as wide as its widest cell.
func table(head []string, cells [][]string) {
	w := make([]int, len(head))
	for i, h := range head {
		w[i] = utf8.RuneCountInString(h)
	}
	for _, r := range cells {
		for i, c := range r {
			w[i] = max(w[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range r {
			b.WriteString(" " + c + strings.Repeat(" ", w[i]-utf8.RuneCountInString(c)) + " |")
		}
		fmt.Println(b.String())
	}
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
	}
	line(sep)
	for _, r := range cells {
		line(r)
	}
}

func yes(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// printPages prints the pages' table: the server's figures, the floor's
// CPU per request, the ratio and the target.
func printPages(rows []pageRow) {
	var cells [][]string
	for _, r := range rows {
		cpu, fcpu := r.srv.perRequest(), r.flr.perRequest()
		floor, ratio := "–", "–"
		if !r.noFloor {
			floor = us(fcpu)
			ratio = fmt.Sprintf("%.1f", float64(cpu)/float64(max(fcpu, 1)))
		}
		errs := ""
		if r.srv.errs > 0 {
			errs = fmt.Sprintf(" (%d errors)", r.srv.errs)
		}
		cells = append(cells, []string{r.name, fmt.Sprintf("%.0f%s", r.srv.rate(), errs),
			r.srv.quantile(0.5).Round(10*time.Microsecond).String() + " / " + r.srv.quantile(0.99).Round(10*time.Microsecond).String(),
			us(cpu), floor, ratio, r.goal, yes(r.target(cpu, fcpu) && r.srv.errs == 0)})
	}
	table([]string{"page", "req/s", "p50 / p99", "server CPU/req", "floor CPU/req", "× floor", "target", "ok"}, cells)
}

func printTable(rows []row) {
	var cells [][]string
	for _, r := range rows {
		cells = append(cells, []string{r.what, r.target, r.measured, yes(r.ok)})
	}
	table([]string{"measure", "target", "measured", "ok"}, cells)
}

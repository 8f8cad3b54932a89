//go:build unix

package search_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"portique/internal/access"
	"portique/internal/db"
	"portique/internal/search"
)

// BenchmarkSearch10k measures a search over 10,000 documents of 10 pages
// each (100,000 indexed parts) for a member of one group, permission filter
// included: 100 folders, one in ten public, the rest shared among three
// groups, so the searcher (one group) may see 40 % of the documents. The text is
// made of the corpus's own French words drawn with a Zipf law, 120 words a
// page. The queries mix frequent, mid-frequency and rare words, two-word
// queries, a phrase and an OR. It reports the median and p95 latency of one
// Search call (snippets included). Building the index takes about a minute;
// the normal test run does not run benchmarks.
//
//	go test -run XXX -bench Search10k -benchtime 400x ./internal/search/
func BenchmarkSearch10k(b *testing.B) {
	const (
		nDocs    = 10_000
		nParts   = 10
		nWords   = 120
		nFolders = 100
	)
	ctx := context.Background()
	f := newFixture(b)
	vocab := corpusVocabulary(b)
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(vocab)-1))
	words := func(n int) string {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[zipf.Uint64()])
		}
		return sb.String()
	}
	start := time.Now()
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		for i := int64(1); i <= nFolders; i++ {
			id := 10_000 + i
			if err := access.AddNode(ctx, tx, access.Folder, id, 0); err != nil {
				return err
			}
			g := []access.Grant{{GroupID: gElus + (i % 3), Level: access.View}}
			if i%10 == 0 {
				g = []access.Grant{{GroupID: access.Everyone, Level: access.View}}
			}
			if err := access.SetGrants(ctx, tx, access.Folder, id, g); err != nil {
				return err
			}
		}
		for id := int64(1); id <= nDocs; id++ {
			folder := 10_000 + 1 + id%nFolders
			title := words(6)
			date := time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, int(id%2000))
			docs := make([]search.Doc, nParts)
			for p := range docs {
				docs[p] = search.Doc{Kind: search.KindDocument, ID: id, Part: p + 1, ACLKind: access.Folder, ACLID: folder,
					Title: title, Body: words(nWords), URL: "/documents/x", Date: date, FolderID: folder}
			}
			if err := f.idx.Replace(ctx, tx, search.KindDocument, id, docs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if f.d.Dialect() == db.Postgres {
		if _, err := f.d.Exec(ctx, "ANALYZE search_items, search_vectors"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: indexed %d parts in %s", f.d.Dialect(), nDocs*nParts, time.Since(start).Round(time.Second))

	// Queries: vocabulary ranks 20 (very frequent), 200, 2000 (rare).
	w := func(rank int) string { return vocab[min(rank, len(vocab)-1)] }
	queries := []string{
		w(20), w(200), w(2000),
		w(200) + " " + w(300),
		w(50) + " " + w(2000),
		`"` + w(20) + " " + w(21) + `"`,
		w(1000) + " OR " + w(1500),
		w(300) + " -" + w(20),
	}
	p := access.Member(42, false, []int64{gElus})
	// The index is built once; the sub-benchmark runs the queries b.N times.
	b.Run("mix", func(b *testing.B) { benchQueries(b, f, p, queries) })
}

func benchQueries(b *testing.B, f fixture, p access.Principal, queries []string) {
	ctx := context.Background()
	per := make([][]time.Duration, len(queries))
	var all []time.Duration
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		k := i % len(queries)
		t0 := time.Now()
		if _, err := f.idx.Search(ctx, p, search.Query{Text: queries[k]}); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		per[k] = append(per[k], d)
		all = append(all, d)
	}
	b.StopTimer()
	// CPU time of the process per search: unlike wall time, it does not grow
	// when other processes share the machine (SQLite runs in-process; on
	// PostgreSQL most of the work is in the server and not counted).
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	for k, q := range queries {
		if len(per[k]) == 0 {
			continue
		}
		res, _ := f.idx.Search(ctx, p, search.Query{Text: q})
		b.Logf("%-40q total %6d  median %v", q, res.Total, pct(per[k], 50))
	}
	b.ReportMetric(float64(pct(all, 50).Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(pct(all, 95).Microseconds())/1000, "ms-p95")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// corpusVocabulary returns the distinct words of the shared corpus, most
// frequent first.
func corpusVocabulary(tb testing.TB) []string {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	count := map[string]int{}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, w := range strings.FieldsFunc(string(b), func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0xC0 && r <= 0x17F)
		}) {
			if len(w) > 1 {
				count[w]++
			}
		}
	}
	vocab := make([]string, 0, len(count))
	for w := range count {
		vocab = append(vocab, w)
	}
	slices.SortFunc(vocab, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	return vocab
}

package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/gen/compiler"
)

// genRoot is the scratch projects' directory (gitignored; "_" keeps the
// go tool out of it).
const genRoot = "testdata/_gen"

// makeGenProject writes a project of n copies of the tickets mapping
// (tables tickets_000, tickets_001, ...) under genRoot/n<n> and returns its
// root. The settings and the vendored source spec are the repository's.
func makeGenProject(tb testing.TB, n int) string {
	tb.Helper()
	repo := filepath.Join("..", "..")
	root := filepath.Join(genRoot, fmt.Sprintf("n%d", n))
	if err := os.RemoveAll(root); err != nil {
		tb.Fatal(err)
	}
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			tb.Fatal(err)
		}
		dst := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	copyFile(compiler.SettingsFile)
	copyFile("mappings/sources/connectwise.json")
	src, err := os.ReadFile(filepath.Join(repo, "mappings", "connectwise", "tickets.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.Contains(string(src), "\ntable: tickets\n") {
		tb.Fatal("tickets.yaml has no `table: tickets` line")
	}
	dir := filepath.Join(root, "mappings", "connectwise")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		name := fmt.Sprintf("tickets_%03d", i)
		data := strings.Replace(string(src), "\ntable: tickets\n", "\ntable: "+name+"\n", 1)
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(data), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// BenchmarkGenerate compiles (gen/compiler.Compile, in process: parse,
// model, emit Go + DDL, gofmt, in memory) a project of 1 and of 100
// copies of the tickets mapping; one op = one compilation. Ratios
// reports per_mapping_100_over_1, the per-mapping time at 100 mappings
// over the time of one (1 = linear; below 1, fixed costs amortize).
func BenchmarkGenerate(b *testing.B) {
	ms := map[int]float64{}
	for _, n := range []int{1, 100} {
		root := makeGenProject(b, n)
		b.Run(fmt.Sprintf("Mappings%d", n), func(b *testing.B) {
			b.ReportAllocs()
			t0 := time.Now()
			for range b.N {
				out, _, err := compiler.Compile(root, compiler.Options{Module: "example.com/genbench"})
				if err != nil {
					b.Fatal(err)
				}
				if len(out) == 0 {
					b.Fatal("no output")
				}
			}
			per := float64(time.Since(t0).Microseconds()) / 1000 / float64(b.N)
			ms[n] = per
			b.ReportMetric(per, "ms/compile")
			b.ReportMetric(per/float64(n), "ms/mapping")
		})
	}
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		if ms[1] > 0 && ms[100] > 0 {
			b.ReportMetric(ms[100]/100/ms[1], "per_mapping_100_over_1")
			b.ReportMetric(ms[100]/ms[1], "x_100_over_1")
		}
	})
}

package bench

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bytedance/sonic"
	gojson "github.com/goccy/go-json"
	segjson "github.com/segmentio/encoding/json"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/connectwise"
	"github.com/canonic-data/canonic/internal/cwfake"
	"github.com/canonic-data/canonic/internal/maprt"
)

// pageRecords is the records of one page, as the fixture holds them.
const pageRecords = 1000

// mapperFixture is a 1000-ticket page rendered by cwfake (seed 1), split
// into records once, and the generic mapper planned from the tickets
// mapping.
type mapperFixture struct {
	page    []byte
	recs    [][]byte
	generic *Generic
}

var (
	fixtureOnce sync.Once
	fixture     mapperFixture
	fixtureErr  error
)

func loadMapperFixture(tb testing.TB) *mapperFixture {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixture.page, fixtureErr = RenderPage(cwfake.NewStore(1, pageRecords), pageRecords)
		if fixtureErr != nil {
			return
		}
		if fixture.recs, fixtureErr = Records(fixture.page); fixtureErr != nil {
			return
		}
		if len(fixture.recs) != pageRecords {
			fixtureErr = fmt.Errorf("page has %d records, want %d", len(fixture.recs), pageRecords)
			return
		}
		fixture.generic, fixtureErr = NewGeneric[tickets.Row](filepath.Join("..", "..", tickets.Table.Mapping))
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return &fixture
}

// TestGenericMatchesGenerated checks that the generic baseline does the
// same work: identical rows, record hash included, for every record.
func TestGenericMatchesGenerated(t *testing.T) {
	fx := loadMapperFixture(t)
	var want, got tickets.Row
	for i, rec := range fx.recs {
		if err := tickets.Decode(rec, &want); err != nil {
			t.Fatalf("record %d: generated: %v", i, err)
		}
		if err := fx.generic.Decode(rec, &got); err != nil {
			t.Fatalf("record %d: generic: %v", i, err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("record %d: rows differ\ngenerated %+v\ngeneric   %+v", i, want, got)
		}
		if len(want.RecordHash) != 64 {
			t.Fatalf("record %d: hash %q", i, want.RecordHash)
		}
	}
}

// decoder is one candidate for the bare decode of a record into
// tickets.Source.
type decoder struct {
	name   string
	decode func(data []byte, src *tickets.Source) error
}

var decoders = []decoder{
	{"encoding_json", func(d []byte, s *tickets.Source) error { return json.Unmarshal(d, s) }},
	// maprt.Unmarshal: goccy/go-json's UnmarshalNoEscape, today the same as
	// its Unmarshal.
	{"maprt", func(d []byte, s *tickets.Source) error { return maprt.Unmarshal(d, s) }},
	{"goccy_of", func(d []byte, s *tickets.Source) error { return gojson.UnmarshalOf(d, s) }},
	{"goccy_nocopy", func(d []byte, s *tickets.Source) error {
		return gojson.UnmarshalWithOption(d, s, gojson.DecodeNoCopyString())
	}},
	{"sonic_std", func(d []byte, s *tickets.Source) error { return sonic.ConfigStd.Unmarshal(d, s) }},
	{"sonic_default", func(d []byte, s *tickets.Source) error { return sonic.ConfigDefault.Unmarshal(d, s) }},
	{"segmentio", func(d []byte, s *tickets.Source) error { return segjson.Unmarshal(d, s) }},
}

// TestDecodersAgree checks that every decoder candidate yields the same
// Source as maprt.Unmarshal (and warms up the JIT ones).
func TestDecodersAgree(t *testing.T) {
	fx := loadMapperFixture(t)
	for _, d := range decoders {
		for i, rec := range fx.recs {
			var want, got tickets.Source
			if err := maprt.Unmarshal(rec, &want); err != nil {
				t.Fatal(err)
			}
			if err := d.decode(rec, &got); err != nil {
				t.Fatalf("%s: record %d: %v", d.name, i, err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("%s: record %d differs", d.name, i)
			}
		}
	}
}

// pageResult is one variant's per-page figures, from its final run.
type pageResult struct{ ns, allocs, bytes float64 }

// runPage runs fn over every record of the page b.N times and reports the
// per-record figures next to the per-page ones (-benchmem).
func runPage(b *testing.B, recs [][]byte, fn func(rec []byte) error) pageResult {
	b.ReportAllocs()
	b.SetBytes(int64(totalLen(recs)))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for range b.N {
		for _, rec := range recs {
			if err := fn(rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	r := pageResult{
		ns:     float64(b.Elapsed().Nanoseconds()) / n,
		allocs: float64(after.Mallocs-before.Mallocs) / n,
		bytes:  float64(after.TotalAlloc-before.TotalAlloc) / n,
	}
	per := float64(len(recs))
	b.ReportMetric(r.ns/per, "ns/record")
	b.ReportMetric(r.allocs/per, "allocs/record")
	b.ReportMetric(r.bytes/per, "B/record")
	return r
}

func totalLen(recs [][]byte) int {
	n := 0
	for _, r := range recs {
		n += len(r)
	}
	return n
}

// BenchmarkMapper maps a 1000-ticket cwfake page (one op = one page) with
// the generated mapper, the bare decode it is built on, and the generic
// baseline; the last sub-benchmark, Ratios, reports the ratios of the
// runs above (x_generic_over_generated, target >= 5; x_generated_over_bare,
// target <= 1.3).
func BenchmarkMapper(b *testing.B) {
	fx := loadMapperFixture(b)
	res := map[string]pageResult{}
	var row tickets.Row
	b.Run("Generated", func(b *testing.B) {
		res["Generated"] = runPage(b, fx.recs, func(rec []byte) error { return tickets.Decode(rec, &row) })
	})
	b.Run("BareDecode", func(b *testing.B) {
		res["BareDecode"] = runPage(b, fx.recs, func(rec []byte) error {
			var src tickets.Source
			return maprt.Unmarshal(rec, &src)
		})
	})
	b.Run("Generic", func(b *testing.B) {
		res["Generic"] = runPage(b, fx.recs, func(rec []byte) error { return fx.generic.Decode(rec, &row) })
	})
	// Breakdown of Generated - BareDecode: Map (conversions + hash) on
	// pre-decoded sources, and the split of the page into records, which
	// every variant above leaves out.
	srcs := make([]tickets.Source, len(fx.recs))
	for i, rec := range fx.recs {
		if err := maprt.Unmarshal(rec, &srcs[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("MapOnly", func(b *testing.B) {
		i := 0
		res["MapOnly"] = runPage(b, fx.recs, func([]byte) error {
			err := tickets.Map(&srcs[i%len(srcs)], &row)
			i++
			return err
		})
	})
	b.Run("Split", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(fx.page)))
		for range b.N {
			if _, err := Records(fx.page); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Interleaved runs one page of each variant per op, in turn, timing
	// each: the ratios then do not move with the machine's drift between
	// separate runs (a shared 2-core box drifts by tens of percent).
	var inter map[string]float64
	b.Run("Interleaved", func(b *testing.B) {
		variants := []struct {
			name string
			fn   func(rec []byte) error
		}{
			{"bare", func(rec []byte) error { var src tickets.Source; return maprt.Unmarshal(rec, &src) }},
			{"generated", func(rec []byte) error { return tickets.Decode(rec, &row) }},
			{"generic", func(rec []byte) error { return fx.generic.Decode(rec, &row) }},
		}
		spent := make([]time.Duration, len(variants))
		for range b.N {
			for i, v := range variants {
				t0 := time.Now()
				for _, rec := range fx.recs {
					if err := v.fn(rec); err != nil {
						b.Fatal(err)
					}
				}
				spent[i] += time.Since(t0)
			}
		}
		per := float64(b.N * len(fx.recs))
		inter = map[string]float64{}
		for i, v := range variants {
			inter[v.name] = float64(spent[i].Nanoseconds()) / per
			b.ReportMetric(inter[v.name], v.name+"-ns/record")
		}
	})
	b.Run("Ratios", func(b *testing.B) {
		for range b.N {
		}
		if inter != nil {
			b.ReportMetric(inter["generic"]/inter["generated"], "x_generic_over_generated")
			b.ReportMetric(inter["generated"]/inter["bare"], "x_generated_over_bare")
		}
		g, bare, gen := res["Generated"], res["BareDecode"], res["Generic"]
		if g.ns > 0 && gen.ns > 0 {
			b.ReportMetric(gen.ns/g.ns, "x_generic_over_generated_separate")
			b.ReportMetric(gen.allocs/g.allocs, "x_allocs_generic_over_generated")
		}
		if g.ns > 0 && bare.ns > 0 {
			b.ReportMetric(g.ns/bare.ns, "x_generated_over_bare_separate")
		}
	})
}

// BenchmarkMapperDecoders compares JSON decoders for the bare decode into
// tickets.Source (Bare/<decoder>) and for the whole generated path with
// the goccy variants (Full/<decoder>: decode + tickets.Map + hash); one op = one
// 1000-ticket page. RoundRobin decodes one page with every decoder per op
// and reports each one's ns/record, so that they compare under the same
// machine load.
func BenchmarkMapperDecoders(b *testing.B) {
	fx := loadMapperFixture(b)
	for _, d := range decoders {
		b.Run("Bare/"+d.name, func(b *testing.B) {
			runPage(b, fx.recs, func(rec []byte) error {
				var src tickets.Source
				return d.decode(rec, &src)
			})
		})
	}
	var row tickets.Row
	full := func(d decoder) func(rec []byte) error {
		return func(rec []byte) error {
			var src tickets.Source
			if err := d.decode(rec, &src); err != nil {
				return err
			}
			return tickets.Map(&src, &row)
		}
	}
	for _, d := range decoders {
		if !strings.HasPrefix(d.name, "goccy") && d.name != "maprt" {
			continue // 2x slower or more in Bare already; keeps the run under 30 s
		}
		b.Run("Full/"+d.name, func(b *testing.B) { runPage(b, fx.recs, full(d)) })
	}
	b.Run("RoundRobin", func(b *testing.B) {
		spent := make([]time.Duration, len(decoders))
		for range b.N {
			for i, d := range decoders {
				t0 := time.Now()
				for _, rec := range fx.recs {
					var src tickets.Source
					if err := d.decode(rec, &src); err != nil {
						b.Fatal(err)
					}
				}
				spent[i] += time.Since(t0)
			}
		}
		per := float64(b.N * len(fx.recs))
		for i, d := range decoders {
			b.ReportMetric(float64(spent[i].Nanoseconds())/per, d.name+"-ns/record")
		}
	})
}

// partialPage is the fixture's page rendered with fields = the mapping's
// source paths, split into records.
func partialPage(tb testing.TB, fx *mapperFixture) (page []byte, recs [][]byte) {
	tb.Helper()
	page, err := RenderPageFields(cwfake.NewStore(1, pageRecords), pageRecords, fx.generic.SourcePaths())
	if err != nil {
		tb.Fatal(err)
	}
	if recs, err = Records(page); err != nil {
		tb.Fatal(err)
	}
	if len(recs) != len(fx.recs) {
		tb.Fatalf("partial page has %d records, want %d", len(recs), len(fx.recs))
	}
	return page, recs
}

// TestPartialMatches checks that records restricted to the mapping's
// source paths map to the same rows as the full records.
func TestPartialMatches(t *testing.T) {
	fx := loadMapperFixture(t)
	_, recs := partialPage(t, fx)
	var want, got tickets.Row
	for i := range recs {
		if err := tickets.Decode(fx.recs[i], &want); err != nil {
			t.Fatal(err)
		}
		if err := tickets.Decode(recs[i], &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("record %d: rows differ", i)
		}
	}
}

// BenchmarkMapperPartial measures what requesting only the mapped fields
// (ConnectWise's fields parameter) would save the loader per page: the
// split and the generated mapper on the full page (Full/*) and on the
// partial one (Partial/*); the server's rendering is not included.
func BenchmarkMapperPartial(b *testing.B) {
	fx := loadMapperFixture(b)
	page, recs := partialPage(b, fx)
	b.Logf("page %d bytes, partial page %d bytes (%.1f%%)", len(fx.page), len(page), 100*float64(len(page))/float64(len(fx.page)))
	var row tickets.Row
	for _, v := range []struct {
		name string
		page []byte
		recs [][]byte
	}{{"Full", fx.page, fx.recs}, {"Partial", page, recs}} {
		b.Run(v.name+"/Split", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := Records(v.page); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(v.recs)), "ns/record")
		})
		b.Run(v.name+"/Generated", func(b *testing.B) {
			runPage(b, v.recs, func(rec []byte) error { return tickets.Decode(rec, &row) })
		})
	}
}

// sourceValues is tickets.Source with value leaves instead of pointers:
// not a valid design (it cannot tell a missing key from a zero value), but
// the bound of what the per-leaf allocations of Source cost.
type sourceValues struct {
	ID       int64    `json:"id"`
	Summary  string   `json:"summary"`
	Status   nameOnly `json:"status"`
	Priority nameOnly `json:"priority"`
	Severity string   `json:"severity"`
	Impact   string   `json:"impact"`
	Type     idName   `json:"type"`
	SubType  idName   `json:"subType"`
	Company  idName   `json:"company"`
	Contact  idName   `json:"contact"`
	Board    idName   `json:"board"`
	Team     idName   `json:"team"`
	Owner    idName   `json:"owner"`
	Info     struct {
		EnteredBy   string `json:"enteredBy"`
		DateEntered string `json:"dateEntered"`
		LastUpdated string `json:"lastUpdated"`
		UpdatedBy   string `json:"updatedBy"`
	} `json:"_info"`
	RequiredDate string  `json:"requiredDate"`
	BudgetHours  float64 `json:"budgetHours"`
	ActualHours  float64 `json:"actualHours"`
	Approved     bool    `json:"approved"`
	ClosedDate   string  `json:"closedDate"`
	ClosedBy     string  `json:"closedBy"`
	ClosedFlag   bool    `json:"closedFlag"`
	RecordType   string  `json:"recordType"`
}

type nameOnly struct {
	Name string `json:"name"`
}

type idName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// BenchmarkMapperLeaves is the bare goccy decode into tickets.Source
// (pointer leaves, one allocation each) and into sourceValues (value
// leaves), interleaved: the cost of the pointer leaves.
func BenchmarkMapperLeaves(b *testing.B) {
	fx := loadMapperFixture(b)
	b.Run("PointerLeaves", func(b *testing.B) {
		runPage(b, fx.recs, func(rec []byte) error { var s tickets.Source; return gojson.Unmarshal(rec, &s) })
	})
	b.Run("ValueLeaves", func(b *testing.B) {
		runPage(b, fx.recs, func(rec []byte) error { var s sourceValues; return gojson.Unmarshal(rec, &s) })
	})
	b.Run("Interleaved", func(b *testing.B) {
		var p, v time.Duration
		for range b.N {
			t0 := time.Now()
			for _, rec := range fx.recs {
				var s tickets.Source
				if err := gojson.Unmarshal(rec, &s); err != nil {
					b.Fatal(err)
				}
			}
			t1 := time.Now()
			for _, rec := range fx.recs {
				var s sourceValues
				if err := gojson.Unmarshal(rec, &s); err != nil {
					b.Fatal(err)
				}
			}
			p, v = p+t1.Sub(t0), v+time.Since(t1)
		}
		per := float64(b.N * len(fx.recs))
		b.ReportMetric(float64(p.Nanoseconds())/per, "pointer-ns/record")
		b.ReportMetric(float64(v.Nanoseconds())/per, "value-ns/record")
		b.ReportMetric(float64(p)/float64(v), "x_pointer_over_value")
	})
}

// TestSplitTrusted checks the prototype splitter against SplitRecords.
func TestSplitTrusted(t *testing.T) {
	fx := loadMapperFixture(t)
	var got [][]byte
	if err := SplitTrusted(fx.page, func(rec []byte) error { got = append(got, rec); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, fx.recs) {
		t.Fatalf("SplitTrusted found %d records, SplitRecords %d, or they differ", len(got), len(fx.recs))
	}
	page := []byte(`[{"a":"x\"}","b":{"c":["}"]}}, {"d":"\\"}]`)
	var n []string
	if err := SplitTrusted(page, func(rec []byte) error { n = append(n, string(rec)); return nil }); err != nil || len(n) != 2 || n[1] != `{"d":"\\"}` {
		t.Fatalf("escapes: %v %q", err, n)
	}
}

// BenchmarkMapperSplit compares, per 1000-ticket page, the validating
// connectwise.SplitRecords (which the loader runs after the client ran the
// same scan in CountRecords) with the SplitTrusted prototype.
func BenchmarkMapperSplit(b *testing.B) {
	fx := loadMapperFixture(b)
	nop := func([]byte) error { return nil }
	var sr, st time.Duration
	for range b.N {
		t0 := time.Now()
		if err := connectwise.SplitRecords(fx.page, nop); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := SplitTrusted(fx.page, nop); err != nil {
			b.Fatal(err)
		}
		sr, st = sr+t1.Sub(t0), st+time.Since(t1)
	}
	per := float64(b.N * len(fx.recs))
	b.ReportMetric(float64(sr.Nanoseconds())/per, "splitrecords-ns/record")
	b.ReportMetric(float64(st.Nanoseconds())/per, "trusted-ns/record")
	b.ReportMetric(float64(sr)/float64(st), "x_splitrecords_over_trusted")
}

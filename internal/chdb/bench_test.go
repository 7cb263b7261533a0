package chdb

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/canonic-data/canonic/internal/rowbinary"
	"github.com/shopspring/decimal"
)

// benchDDL is a ten-column table shaped like a ticket row.
const benchDDL = `CREATE TABLE default.bench (
	id Int64,
	summary String,
	status String,
	priority Nullable(String),
	severity Nullable(Enum8('Low' = 1, 'Medium' = 2, 'High' = 3)),
	company_id Int64,
	budget_hours Nullable(Decimal(18, 4)),
	closed_flag Bool,
	last_updated DateTime('UTC'),
	record_hash String
) ENGINE = MergeTree ORDER BY id`

const benchInsert = "INSERT INTO default.bench (id, summary, status, priority, severity, company_id, budget_hours, closed_flag, last_updated, record_hash) FORMAT RowBinary"

// benchRows encodes n rows starting at id first.
func benchRows(b *testing.B, first, n int) []byte {
	statuses := []string{"New", "In Progress", "Waiting on Client", "Closed"}
	hash := strings.Repeat("0123456789abcdef", 4)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var data []byte
	var err error
	for i := first; i < first+n; i++ {
		// Odd ids and DateTimes within 20,000 s of base keep the bytes
		// "\n\n" out of the data, which inline inserts cannot carry.
		data = rowbinary.AppendInt64(data, int64(2*i+1))
		data = rowbinary.AppendString(data, fmt.Sprintf("Ticket %d: printer on floor %d is out of toner again", i, i%40))
		data = rowbinary.AppendString(data, statuses[i%len(statuses)])
		if data = rowbinary.AppendNull(data, i%5 == 0); i%5 != 0 {
			data = rowbinary.AppendString(data, "Priority 3 - Normal")
		}
		if data = rowbinary.AppendNull(data, i%7 == 0); i%7 != 0 {
			data = rowbinary.AppendEnum8(data, int8(i%3+1))
		}
		data = rowbinary.AppendInt64(data, int64(i%2500))
		if data = rowbinary.AppendNull(data, i%3 == 0); i%3 != 0 {
			if data, err = rowbinary.AppendDecimal(data, decimal.New(int64(i%1000), -2), 18, 4); err != nil {
				b.Fatal(err)
			}
		}
		data = rowbinary.AppendBool(data, i%4 == 3)
		data = rowbinary.AppendDateTime(data, base.Add(time.Duration(i%20_000)*time.Second))
		data = rowbinary.AppendString(data, hash)
	}
	return data
}

// BenchmarkInsertRowBinary inserts 100,000 ten-column rows per iteration
// and reports rows/s; encoding is outside the timer. Modes: "insert", one
// Insert per batch; "stream", every batch written to one InsertStream;
// "inline", data after the statement text in one chdb_query_n call (the
// alternative Insert rejects, correct only for data without an empty
// line). Batches are all rows at once, or 1,000 rows (a ConnectWise page).
func BenchmarkInsertRowBinary(b *testing.B) {
	const total = 100_000
	for _, mode := range []string{"insert", "stream", "inline"} {
		for _, batch := range []int{total, 1000} {
			if mode == "stream" && batch == total {
				continue // the same as insert
			}
			b.Run(fmt.Sprintf("%s/batch=%d", mode, batch), func(b *testing.B) {
				c := openTest(b)
				if err := c.Exec(benchDDL); err != nil {
					b.Fatal(err)
				}
				var batches [][]byte
				size := 0
				for first := 0; first < total; first += batch {
					data := benchRows(b, first, batch)
					if bytes.Contains(data, []byte("\n\n")) {
						b.Fatal("benchmark data holds an empty line, which ends inline data early")
					}
					batches = append(batches, data)
					size += len(batches[len(batches)-1])
				}
				stmt, format, err := splitFormat(benchInsert)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(size))
				b.ResetTimer()
				for b.Loop() {
					var st *InsertStream
					if mode == "stream" {
						if st, err = c.BeginInsert(benchInsert); err != nil {
							b.Fatal(err)
						}
					}
					for _, data := range batches {
						switch mode {
						case "insert":
							err = c.Insert(benchInsert, data)
						case "stream":
							_, err = st.Write(data)
						case "inline":
							c.mu.Lock()
							err = c.inlineInsert(stmt, format, data)
							c.mu.Unlock()
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					if st != nil {
						if err := st.Commit(); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rows/s")
				b.StopTimer()
				got, err := c.Query("SELECT count() FROM default.bench", "TabSeparated")
				if err != nil {
					b.Fatal(err)
				}
				if want := fmt.Sprintf("%d\n", total*b.N); string(got) != want {
					b.Fatalf("count = %q, want %q", got, want)
				}
			})
		}
	}
}

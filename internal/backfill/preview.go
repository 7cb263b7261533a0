package backfill

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/canonic-data/canonic/internal/table"
	"github.com/canonic-data/canonic/internal/warehouse"
)

// previewColumns is how many leading business columns the preview shows,
// besides the SCD dates.
const previewColumns = 5

// showCurrent renders the first n rows of the current view (by key) as a
// small table: the leading business columns plus effective_start_date and
// effective_end_date.
func showCurrent[R any](ctx context.Context, tbl *table.Table[R], eng warehouse.Engine, db string, n int) (string, error) {
	query := fmt.Sprintf("SELECT %s FROM %s.%s ORDER BY %s LIMIT %d",
		columnList(tbl.Columns), warehouse.QuoteIdent(db), warehouse.QuoteIdent(tbl.CurrentView), warehouse.QuoteIdent(tbl.KeyColumn), n)
	nBusiness := len(tbl.Columns) - len(table.SCDColumnNames)
	show := []int{}
	for i := 0; i < min(previewColumns, nBusiness); i++ {
		show = append(show, i)
	}
	show = append(show, nBusiness, nBusiness+1) // effective_start_date, effective_end_date

	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for i, c := range show {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, tbl.Columns[c].Name)
	}
	fmt.Fprintln(tw)
	var row R
	var values []any
	rows := 0
	err := eng.Query(ctx, query, func(src []byte) (int, error) {
		used, err := tbl.ReadRowBinary(src, &row)
		if err != nil {
			return 0, err
		}
		values = tbl.AppendValues(values[:0], &row)
		for i, c := range show {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, previewValue(values[c]))
		}
		fmt.Fprintln(tw)
		rows++
		return used, nil
	})
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", tbl.CurrentView, err)
	}
	tw.Flush()
	return fmt.Sprintf("\nfirst %d rows of %s.%s:\n%s", rows, db, tbl.CurrentView, b.String()), nil
}

func columnList(cols []table.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = warehouse.QuoteIdent(c.Name)
	}
	return strings.Join(names, ", ")
}

// previewValue prints one clickhouse-go style value: nil as NULL, pointers
// dereferenced, times in RFC 3339, long text cut.
func previewValue(v any) string {
	if v == nil {
		return "NULL"
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "NULL"
		}
		v = rv.Elem().Interface()
	}
	var s string
	switch x := v.(type) {
	case time.Time:
		s = x.UTC().Format(time.RFC3339)
	default:
		s = fmt.Sprint(x)
	}
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return s
}

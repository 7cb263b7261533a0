package backfill

import (
	"errors"
	"fmt"
	"sync"

	"github.com/canonic-data/canonic/internal/table"
)

// decodedPage is one page's records decoded into rows, in source order.
// Decoding touches no loader state, so pages decode on several cores
// while the loader batches and writes earlier ones (see pipeline).
type decodedPage[R any] struct {
	stream  int
	records int // the records the page held (Page.Records)
	recs    []decodedRecord[R]
	// ids is the page itself in a --deletes sweep, which reads only ids
	// and does not decode.
	ids streamPage
}

// decodedRecord is one source record after decoding.
type decodedRecord[R any] struct {
	row  R
	size int // bytes of source JSON
	// reject, when not nil, is why the record did not decode into a row;
	// source then holds a copy of its JSON for the reject file.
	reject *table.FieldError
	source []byte
	// invalidUTF8 lists the source paths the mapping reads whose invalid
	// UTF-8 Decode replaced with U+FFFD.
	invalidUTF8 []string
}

// decoder decodes pages for one load. Its record slices are reused once
// the loader has copied the rows out (release).
type decoder[R any] struct {
	tbl  *table.Table[R]
	utf8 *utf8Replacements // only its field list is read here
	pool sync.Pool         // *[]decodedRecord[R]
}

// decode decodes every record of page and releases the page's buffer:
// nothing decoded refers to it. An error other than a record's
// *table.FieldError fails the load.
func (d *decoder[R]) decode(page streamPage) (*decodedPage[R], error) {
	defer page.Release()
	dp := &decodedPage[R]{stream: page.stream, records: page.Records}
	if v, ok := d.pool.Get().(*[]decodedRecord[R]); ok {
		dp.recs = (*v)[:0]
	} else {
		dp.recs = make([]decodedRecord[R], 0, page.Records)
	}
	err := page.EachRecord(func(rec []byte) error {
		dp.recs = append(dp.recs, decodedRecord[R]{})
		r := &dp.recs[len(dp.recs)-1]
		r.size = len(rec)
		if !page.ValidUTF8 {
			r.invalidUTF8 = d.utf8.invalid(nil, rec) // Decode replaces invalid UTF-8 silently: note it first
		}
		if err := d.tbl.Decode(rec, &r.row); err != nil {
			var fe *table.FieldError
			if !errors.As(err, &fe) {
				return fmt.Errorf("decoding a record: %w", err)
			}
			r.reject, r.source = fe, append([]byte(nil), rec...)
		}
		return nil
	})
	if err != nil {
		d.release(dp)
		return nil, err
	}
	return dp, nil
}

// release takes back dp's records once the loader is done with them
// (decode zeroes each record it reuses).
func (d *decoder[R]) release(dp *decodedPage[R]) {
	recs := dp.recs[:0]
	dp.recs = nil
	d.pool.Put(&recs)
}

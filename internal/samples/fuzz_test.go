package samples

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/canonic-data/canonic/generated/connectwise/tickets"
	"github.com/canonic-data/canonic/internal/table"
)

// FuzzTicketDecode feeds arbitrary bytes to the generated mapper: it must
// return a row or a *table.FieldError, never panic or fail otherwise.
func FuzzTicketDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/connectwise/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id": 1}`))
	f.Add([]byte(`{"id": 1e400, "summary": null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r tickets.Row
		err := tickets.Decode(data, &r)
		if err != nil {
			var fe *table.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("Decode returned %T (%v), want *table.FieldError", err, err)
			}
			return
		}
		if len(r.RecordHash) != 64 {
			t.Fatalf("accepted record without a hash: %+v", r)
		}
	})
}

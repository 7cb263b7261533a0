package backfill

import (
	"context"
	"fmt"
	"strconv"

	"github.com/canonic-data/canonic/internal/maprt"
)

// ModeDeletes sweeps only the source's keys (fields=id, forward-only) and
// closes the current versions of keys it no longer returns, like --full
// (close.go); it loads nothing else and keeps the cursor.
const ModeDeletes = "deletes"

// idOnly is an ids-only record, {"id": 123}.
type idOnly map[string]maprt.Number

// markSeen reads the key of an ids-only record of a --deletes sweep and
// adds it to the sweep's keys, recorded every --batch-rows keys.
func (l *loader[R]) markSeen(ctx context.Context, _ int, rec []byte) error {
	var m idOnly
	if err := maprt.Unmarshal(rec, &m); err != nil {
		return fmt.Errorf("an ids-only record %.80s: %w", rec, err)
	}
	v, ok := m[l.tbl.SourceKeyField]
	if !ok {
		return fmt.Errorf("an ids-only record %.80s has no %s", rec, l.tbl.SourceKeyField)
	}
	key, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		return fmt.Errorf("an ids-only record's %s is not an integer: %s", l.tbl.SourceKeyField, v)
	}
	b := &l.batch
	b.swept = append(b.swept, key)
	if len(b.swept) < l.opts.BatchRows {
		return nil
	}
	keys := l.sweptKeys()
	b.reset()
	if len(keys) == 0 { // a dry run keeps them in memory
		return nil
	}
	return l.recordSwept(ctx, keys)
}

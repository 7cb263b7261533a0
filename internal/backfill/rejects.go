package backfill

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/canonic-data/canonic/internal/table"
)

// rejectFile is the JSON Lines file of one run's rejected records:
// <dir>/rejects/<tenant>-<table>-<runid>.jsonl, one object per record with
// the error and the record's raw JSON.
type rejectFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
}

// rejectLine is one line of a reject file.
type rejectLine struct {
	RunID    string          `json:"run_id"`
	Table    string          `json:"table"`
	RecordID string          `json:"record_id"`
	Column   string          `json:"column"`
	Path     string          `json:"path"`
	Error    string          `json:"error"`
	Record   json.RawMessage `json:"record"`
	// RecordUTF8Replaced says the source record held invalid UTF-8, which
	// Record shows replaced with U+FFFD so that the line stays JSON.
	RecordUTF8Replaced bool `json:"record_invalid_utf8_replaced,omitempty"`
}

func openRejectFile(dir, tenant, tbl, runID string) (*rejectFile, error) {
	d := filepath.Join(dir, "rejects")
	if err := os.MkdirAll(d, 0o750); err != nil {
		return nil, fmt.Errorf("creating the reject directory: %w", err)
	}
	path := filepath.Join(d, tenant+"-"+tbl+"-"+runID+".jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("creating the reject file: %w", err)
	}
	return &rejectFile{path: path, f: f, w: bufio.NewWriter(f)}, nil
}

// write appends one rejected record. rec is the record's raw JSON, already
// validated by the page parser: invalid UTF-8 can only be inside its
// strings, so replacing it keeps the record JSON.
func (r *rejectFile) write(runID, tbl string, fe *table.FieldError, rec []byte) error {
	replaced := !utf8.Valid(rec)
	if replaced {
		rec = bytes.ToValidUTF8(rec, []byte("\uFFFD"))
	}
	line, err := json.Marshal(rejectLine{
		RunID: runID, Table: tbl, RecordID: fe.RecordID, Column: fe.Column, Path: fe.Path,
		Error: fe.Error(), Record: json.RawMessage(rec), RecordUTF8Replaced: replaced,
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	if _, err := r.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	return nil
}

// Close flushes and closes the file.
func (r *rejectFile) Close() error {
	err := r.w.Flush()
	if cerr := r.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", r.path, err)
	}
	return nil
}

// reject records a record that did not decode.
func (l *loader[R]) reject(rec []byte, fe *table.FieldError) error {
	l.stats.Rejected++
	if key, err := strconv.ParseInt(fe.RecordID, 10, 64); err == nil {
		l.batch.swept = append(l.batch.swept, key) // the source still returns the key: a full sweep must not close it
	} else {
		l.noIDSeen = true
	}
	if len(l.stats.RejectErrors) < sampleKeys {
		l.stats.RejectErrors = append(l.stats.RejectErrors, fe.Error())
	}
	if !l.opts.DryRun {
		if l.rejects == nil {
			rf, err := openRejectFile(l.opts.RejectDir, l.opts.Tenant, l.tbl.Name, l.stats.RunID)
			if err != nil {
				return err
			}
			l.rejects = rf
		}
		if err := l.rejects.write(l.stats.RunID, l.tbl.Name, fe, rec); err != nil {
			return err
		}
	}
	if l.stats.Rejected > int64(l.opts.MaxRejects) {
		return fmt.Errorf("%d records rejected, more than --max-rejects %d; last: %v", l.stats.Rejected, l.opts.MaxRejects, fe)
	}
	return nil
}

package backfill

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// rejectedLine is the last line of a run that rejected records: how many,
// their share and where they are, so a scheduler's log says why the status
// is not 0.
func rejectedLine(s Stats, dryRun bool) string {
	if dryRun {
		return fmt.Sprintf("%d of %d records read would be rejected (%s); dry run: no reject file was written (exit status %d)",
			s.Rejected, s.RecordsRead, share(s.Rejected, s.RecordsRead), ExitRejected)
	}
	return fmt.Sprintf("%d of %d records read were rejected (%s), the rest loaded; rejects in %s (exit status %d)",
		s.Rejected, s.RecordsRead, share(s.Rejected, s.RecordsRead), s.RejectFile, ExitRejected)
}

// share formats part/whole as a percentage, never rounding a non-zero part
// to 0% or a partial whole to 100%.
func share(part, whole int64) string {
	if whole <= 0 {
		return "-"
	}
	p := 100 * float64(part) / float64(whole)
	switch {
	case part > 0 && p < 0.1:
		return "<0.1%"
	case part < whole && p > 99.9:
		return ">99.9%"
	}
	return fmt.Sprintf("%.1f%%", p)
}

// summaryLabelWidth is the width the summary's labels are padded to: the
// longest label's.
const summaryLabelWidth = len("child requests")

// printSummary prints what the run did.
func printSummary(w io.Writer, tableName string, cfg config, s Stats) {
	o := cfg.opts
	head := fmt.Sprintf("%s -> %s.%s, run %s, %s", tableName, o.Database, tableName, s.RunID, s.Mode)
	if !s.From.IsZero() {
		head += " (records updated after " + s.From.Format(time.RFC3339) + ")"
	}
	if o.DryRun {
		head += ", DRY RUN: nothing was written"
	}
	fmt.Fprintln(w, head)
	secs := s.Elapsed.Seconds()
	rate := func(n int64) string {
		if secs <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f/s", float64(n)/secs)
	}
	type kv struct {
		k string
		v any
	}
	rows := []kv{
		{"records read", fmt.Sprintf("%d (%s)", s.RecordsRead, rate(s.RecordsRead))},
		{"new keys", s.NewKeys},
		{"changed", s.Changed},
		{"unchanged", s.Unchanged},
		{"closed", s.Closed},
		{"rebaselined", s.Rebaselined},
		{"rejected", rejectedCount(s)},
		{"child requests", s.ChildRequests},
		{"duplicates", s.Duplicates},
	}
	if u := formatUTF8Replacements(s.InvalidUTF8); u != "" {
		rows = append(rows, kv{"invalid UTF-8", u + " values replaced with U+FFFD"})
	}
	if s.Streams > 1 {
		rows = append(rows, kv{"streams", s.Streams})
	}
	if s.Repaired > 0 {
		rows = append(rows, kv{"repaired", s.Repaired})
	}
	if o.DryRun {
		rows = append(rows, kv{"rows to write", s.NewKeys + 2*s.Changed + s.Closed + s.Repaired})
	}
	rows = append(rows,
		kv{"rows written", fmt.Sprintf("%d (%s)", s.RowsWritten, rate(s.RowsWritten))},
		kv{"time taken", s.Elapsed.Round(time.Millisecond)})
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s %v\n", summaryLabelWidth, r.k, r.v)
	}
	for _, m := range s.Migrations {
		fmt.Fprintf(w, "  %-*s %s\n", summaryLabelWidth, "migrated", m)
	}
	switch {
	case o.DryRun:
	case !s.Cursor.IsZero():
		fmt.Fprintf(w, "  %-*s %s (the next run without --since resumes there)\n", summaryLabelWidth, "cursor", s.Cursor.Format(time.RFC3339))
	}
	switch {
	case s.Cut:
		fmt.Fprintf(w, "  %-*s everything up to source id %d is written; the run is unfinished (no key closed, no cursor recorded)\n", summaryLabelWidth, "checkpoint", s.Checkpoint)
	case (o.Full || o.Deletes) && !s.Complete:
		fmt.Fprintf(w, "  the sweep was partial (--limit, or a reject without an id): no key was closed\n")
	}
	if s.ResumedFrom > 0 {
		fmt.Fprintf(w, "  %-*s run %s from after source id %d\n", summaryLabelWidth, "resumed", s.RunID, s.ResumedFrom)
	}
	if s.RejectFile != "" {
		fmt.Fprintf(w, "  rejects in %s\n", s.RejectFile)
	}
	for _, e := range s.RejectErrors {
		fmt.Fprintf(w, "  rejected: %s\n", e)
	}
	if o.DryRun {
		for _, what := range []string{"new", "changed", "closed"} {
			if keys := s.Samples[what]; len(keys) > 0 {
				fmt.Fprintf(w, "  would write %s keys: %s\n", what, joinKeys(keys))
			}
		}
	}
}

// rejectedCount is the summary's rejected value: the count and, when not
// zero, its share of the records read.
func rejectedCount(s Stats) string {
	if s.Rejected == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%s of records read)", s.Rejected, share(s.Rejected, s.RecordsRead))
}

func joinKeys(keys []int64) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprint(k)
	}
	s := strings.Join(parts, ", ")
	if len(keys) == sampleKeys {
		s += ", ..."
	}
	return s
}

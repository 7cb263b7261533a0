// Package scd holds the SCD Type 2 rules of a load as pure functions: given
// a key's current version as stored (or none), a source record's hashes
// and version timestamp, the run's start and the clock, it says which
// version rows to write. It does no I/O; the backfill loader reads the
// stored state, asks this package, and writes what it answers.
//
// Times are Unix seconds: the SCD columns are ClickHouse DateTime.
//
// The rules, one function each:
//
//   - Classify: a key with no current version is new; a record whose hash
//     equals the current version's is unchanged; one whose hash equals it
//     only under the previously recorded hash definition is re-baselined
//     (its current version is rewritten in place with the new hash); any
//     other is changed.
//   - PlanRecord: a new key gets a current version starting at the
//     record's version timestamp (or the run start for tables without
//     one). A changed key gets its current version rewritten closed
//     (effective_end_date = the new start) and a new current version in the
//     same INSERT. A new version must start after the one it closes: on
//     the same second or an earlier one (clock skew) it starts one second
//     after it.
//   - created_at is when a version row was first written and survives its
//     rewrites; updated_at is the write time, and a rewrite always moves it
//     past the row's previous updated_at (max(now, previous + 1 s)) so that
//     ReplacingMergeTree(updated_at) keeps the rewrite.
//   - Supersedes: of several records of one key in a batch, the one with
//     the latest version timestamp wins (the later one on a tie).
//   - Close: a key a complete sweep no longer returns has its current
//     version closed at the run start; extra current versions an earlier
//     writer left are closed at the latest one's start (CloseExtra).
//
// Check states the invariants these rules keep over a key's stored
// versions (at most one current, current exactly when open, each end after
// its start and equal to the next start); backfill --verify runs it.
package scd

import "encoding/hex"

// Hash is the first 128 bits of a record_hash (hex SHA-256): enough to
// tell a changed record from an unchanged one (a false "unchanged" for
// one key's two versions has probability 2^-128) at a quarter of the hex
// text's size.
type Hash [16]byte

// ParseHash decodes a record_hash; text that is not 64 hex digits gives
// the zero Hash, which no computed hash equals (the record then counts as
// changed).
func ParseHash(s string) Hash {
	var full [32]byte
	if len(s) != 64 {
		return Hash{}
	}
	if _, err := hex.Decode(full[:], []byte(s)); err != nil {
		return Hash{}
	}
	return Hash(full[:16])
}

// Current is a key's current version as stored.
type Current struct {
	Start     int64 // effective_start_date
	CreatedAt int64 // created_at
	UpdatedAt int64 // updated_at
	Hash      Hash  // record_hash
	// Others counts further current versions of the key (0 unless an
	// earlier writer left more than one; Start is then the latest).
	Others int
}

// Record is what the planner needs of a mapped source record.
type Record struct {
	// Hash is the record's hash under the table's hash definition.
	Hash Hash
	// PrevHash is its hash under the previously recorded definition, when
	// that differs from the table's (HasPrev); a match re-baselines.
	PrevHash Hash
	HasPrev  bool
	// Version is the record's version timestamp (the mapping's
	// version_from column); HasVersion is false when the table has none or
	// the value is NULL.
	Version    int64
	HasVersion bool
}

// Outcome is what a record means for its key.
type Outcome uint8

const (
	New        Outcome = iota // no current version: open one
	Unchanged                 // same hash: write nothing
	Changed                   // close the current version, open a new one
	Rebaseline                // same data under a new hash definition: rewrite in place
)

func (o Outcome) String() string {
	switch o {
	case New:
		return "new"
	case Unchanged:
		return "unchanged"
	case Changed:
		return "changed"
	case Rebaseline:
		return "rebaseline"
	}
	return "unknown"
}

// Columns are the SCD columns of one version row, record_hash aside (it
// is the record's own).
type Columns struct {
	Start     int64
	End       int64 // effective_end_date when HasEnd; NULL otherwise
	HasEnd    bool
	IsCurrent bool
	CreatedAt int64
	UpdatedAt int64
}

// Stored is the part of a stored version row a rewrite depends on.
type Stored struct {
	Start     int64
	UpdatedAt int64
	CreatedAt int64
}

// Plan is what to write for one record.
type Plan struct {
	Outcome Outcome
	// CloseStored, when set, says to rewrite the stored current version
	// with Close's columns (Changed only); the business columns are the
	// stored row's.
	CloseStored bool
	Close       Columns
	// WriteRecord, when set, says to write the record with Open's columns
	// (New, Changed, Rebaseline).
	WriteRecord bool
	Open        Columns
	// Rows is the number of rows the plan writes.
	Rows int
}

// Classify compares a record with its key's current version (nil when
// the key has none).
func Classify(cur *Current, rec Record) Outcome {
	switch {
	case cur == nil:
		return New
	case cur.Hash == rec.Hash:
		return Unchanged
	case rec.HasPrev && cur.Hash == rec.PrevHash:
		return Rebaseline
	}
	return Changed
}

// PlanRecord plans the rows for one record of a key whose current version
// is cur (nil when none). runStart is the run's start and now the write
// time, both in whole seconds.
func PlanRecord(cur *Current, rec Record, runStart, now int64) Plan {
	p := Plan{Outcome: Classify(cur, rec)}
	switch p.Outcome {
	case Unchanged:
		return p
	case Rebaseline:
		// Same version, new hash definition: the same key and start, a
		// later updated_at, created_at kept.
		p.WriteRecord, p.Rows = true, 1
		p.Open = Columns{Start: cur.Start, IsCurrent: true, CreatedAt: cur.CreatedAt, UpdatedAt: rewriteTime(now, cur.UpdatedAt)}
		return p
	}
	start := runStart
	if rec.HasVersion {
		start = rec.Version
	}
	if cur != nil && start <= cur.Start {
		start = cur.Start + 1
	}
	p.WriteRecord, p.Rows = true, 1
	p.Open = Columns{Start: start, IsCurrent: true, CreatedAt: now, UpdatedAt: now}
	if p.Outcome == Changed {
		p.CloseStored, p.Rows = true, 2
		p.Close = Close(Stored{Start: cur.Start, CreatedAt: cur.CreatedAt, UpdatedAt: cur.UpdatedAt}, start, now)
	}
	return p
}

// Next is the key's current version after p ran for a record hashed h
// (cur is the version before it, nil when none).
func Next(cur *Current, p Plan, h Hash) *Current {
	if !p.WriteRecord {
		return cur
	}
	return &Current{Start: p.Open.Start, CreatedAt: p.Open.CreatedAt, UpdatedAt: p.Open.UpdatedAt, Hash: h}
}

// Close returns the columns of stored rewritten closed at end: not
// current, created_at kept, updated_at moved past its previous value. A
// version never ends at or before its start: it then ends one second
// after it.
func Close(stored Stored, end, now int64) Columns {
	if end <= stored.Start {
		end = stored.Start + 1
	}
	return Columns{Start: stored.Start, End: end, HasEnd: true, IsCurrent: false,
		CreatedAt: stored.CreatedAt, UpdatedAt: rewriteTime(now, stored.UpdatedAt)}
}

// CloseExtra returns the columns closing an extra current version (one
// an earlier writer left beside the latest, which starts at latestStart),
// or ok false for the latest itself.
func CloseExtra(stored Stored, latestStart, now int64) (c Columns, ok bool) {
	if stored.Start >= latestStart {
		return Columns{}, false
	}
	return Close(stored, latestStart, now), true
}

// Supersedes reports whether a record with version timestamp incoming
// replaces one with pending among records of the same key in one batch:
// the later wins, and the later-read one on a tie.
func Supersedes(pending, incoming int64) bool {
	return incoming >= pending
}

// rewriteTime is the updated_at of a rewrite: now, or one second past
// the row's previous updated_at when the clock has not moved past it.
func rewriteTime(now, previous int64) int64 {
	return max(now, previous+1)
}

// StaleRepeat reports whether a record of a key that this run already
// wrote (the source repeated the key out of its id order) carries nothing
// newer than what was written: cur was written at or after runStart and
// the record's version does not pass its start. Such a record counts as a
// duplicate and writes nothing.
func StaleRepeat(cur *Current, rec Record, runStart int64) bool {
	if cur == nil || cur.UpdatedAt < runStart {
		return false
	}
	return !rec.HasVersion || rec.Version <= cur.Start
}

package scd

import "testing"

var (
	h1 = Hash{1}
	h2 = Hash{2}
	h3 = Hash{3}
)

// Times of the cases: the stored version starts at 1000 and was written
// at 1500; the run starts at 2000 and writes at 2005.
const (
	storedStart   = 1000
	storedCreated = 1400
	storedUpdated = 1500
	runStart      = 2000
	now           = 2005
)

func stored(h Hash) *Current {
	return &Current{Start: storedStart, CreatedAt: storedCreated, UpdatedAt: storedUpdated, Hash: h}
}

func TestPlanRecord(t *testing.T) {
	tests := []struct {
		name string
		cur  *Current
		rec  Record
		want Plan
	}{
		{
			name: "new key starts at its version timestamp",
			cur:  nil,
			rec:  Record{Hash: h1, Version: 1800, HasVersion: true},
			want: Plan{Outcome: New, WriteRecord: true, Rows: 1,
				Open: Columns{Start: 1800, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "new key without a version column starts at the run start",
			cur:  nil,
			rec:  Record{Hash: h1},
			want: Plan{Outcome: New, WriteRecord: true, Rows: 1,
				Open: Columns{Start: runStart, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "unchanged hash writes nothing",
			cur:  stored(h1),
			rec:  Record{Hash: h1, Version: 1800, HasVersion: true},
			want: Plan{Outcome: Unchanged},
		},
		{
			name: "changed closes the stored version at the new start and opens one",
			cur:  stored(h1),
			rec:  Record{Hash: h2, Version: 1800, HasVersion: true},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: 1800, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now},
				WriteRecord: true, Open: Columns{Start: 1800, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "change within the same second starts one second after the stored start",
			cur:  stored(h1),
			rec:  Record{Hash: h2, Version: storedStart, HasVersion: true},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: storedStart + 1, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now},
				WriteRecord: true, Open: Columns{Start: storedStart + 1, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "source clock behind the stored start also starts one second after it",
			cur:  stored(h1),
			rec:  Record{Hash: h2, Version: storedStart - 3600, HasVersion: true},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: storedStart + 1, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now},
				WriteRecord: true, Open: Columns{Start: storedStart + 1, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "changed without a version column starts at the run start",
			cur:  stored(h1),
			rec:  Record{Hash: h2},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: runStart, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now},
				WriteRecord: true, Open: Columns{Start: runStart, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "a rewrite moves updated_at past a stored updated_at ahead of the clock",
			cur:  &Current{Start: storedStart, CreatedAt: storedCreated, UpdatedAt: now + 60, Hash: h1},
			rec:  Record{Hash: h2, Version: 1800, HasVersion: true},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: 1800, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now + 61},
				WriteRecord: true, Open: Columns{Start: 1800, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "re-baseline rewrites the current version in place",
			cur:  stored(h1),
			rec:  Record{Hash: h2, PrevHash: h1, HasPrev: true, Version: 1800, HasVersion: true},
			want: Plan{Outcome: Rebaseline, WriteRecord: true, Rows: 1,
				Open: Columns{Start: storedStart, IsCurrent: true, CreatedAt: storedCreated, UpdatedAt: now}},
		},
		{
			name: "re-baseline run: a record changed under both definitions is a change",
			cur:  stored(h1),
			rec:  Record{Hash: h2, PrevHash: h3, HasPrev: true, Version: 1800, HasVersion: true},
			want: Plan{Outcome: Changed, Rows: 2,
				CloseStored: true, Close: Columns{Start: storedStart, End: 1800, HasEnd: true, CreatedAt: storedCreated, UpdatedAt: now},
				WriteRecord: true, Open: Columns{Start: 1800, IsCurrent: true, CreatedAt: now, UpdatedAt: now}},
		},
		{
			name: "re-baseline run: an unchanged hash under the new definition stays unchanged",
			cur:  stored(h2),
			rec:  Record{Hash: h2, PrevHash: h1, HasPrev: true},
			want: Plan{Outcome: Unchanged},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanRecord(tt.cur, tt.rec, runStart, now)
			if got != tt.want {
				t.Errorf("PlanRecord\n got  %+v\n want %+v", got, tt.want)
			}
			next := Next(tt.cur, got, tt.rec.Hash)
			switch {
			case !got.WriteRecord && next != tt.cur:
				t.Errorf("Next changed the current version of a plan that writes nothing")
			case got.WriteRecord && (next.Start != got.Open.Start || next.Hash != tt.rec.Hash || next.UpdatedAt != got.Open.UpdatedAt):
				t.Errorf("Next = %+v, want the opened version", next)
			}
		})
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name   string
		stored Stored
		end    int64
		want   Columns
	}{
		{"close on delete at the run start", Stored{Start: 1000, CreatedAt: 1400, UpdatedAt: 1500}, runStart,
			Columns{Start: 1000, End: runStart, HasEnd: true, CreatedAt: 1400, UpdatedAt: now}},
		{"a version never ends at its start", Stored{Start: 3000, CreatedAt: 3000, UpdatedAt: 3000}, 3000,
			Columns{Start: 3000, End: 3001, HasEnd: true, CreatedAt: 3000, UpdatedAt: 3001}},
		{"nor before it (source clock ahead of the run)", Stored{Start: 3000, CreatedAt: 1400, UpdatedAt: 1500}, runStart,
			Columns{Start: 3000, End: 3001, HasEnd: true, CreatedAt: 1400, UpdatedAt: now}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Close(tt.stored, tt.end, now); got != tt.want {
				t.Errorf("Close = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCloseExtra(t *testing.T) {
	got, ok := CloseExtra(Stored{Start: 900, CreatedAt: 900, UpdatedAt: 950}, storedStart, now)
	want := Columns{Start: 900, End: storedStart, HasEnd: true, CreatedAt: 900, UpdatedAt: now}
	if !ok || got != want {
		t.Errorf("extra version: %+v %v, want %+v", got, ok, want)
	}
	if _, ok := CloseExtra(Stored{Start: storedStart}, storedStart, now); ok {
		t.Errorf("the latest current version must stay open")
	}
}

func TestDuplicatesInABatch(t *testing.T) {
	tests := []struct {
		pending, incoming int64
		want              bool
	}{
		{100, 200, true},  // later version wins
		{200, 100, false}, // an older one read later loses
		{100, 100, true},  // on a tie, the later-read record wins
	}
	for _, tt := range tests {
		if got := Supersedes(tt.pending, tt.incoming); got != tt.want {
			t.Errorf("Supersedes(%d, %d) = %v, want %v", tt.pending, tt.incoming, got, tt.want)
		}
	}
}

func TestStaleRepeat(t *testing.T) {
	writtenThisRun := &Current{Start: 1800, CreatedAt: now, UpdatedAt: now, Hash: h1}
	tests := []struct {
		name string
		cur  *Current
		rec  Record
		want bool
	}{
		{"no current version", nil, Record{Hash: h2, Version: 1700, HasVersion: true}, false},
		{"written by an earlier run", stored(h1), Record{Hash: h2, Version: 900, HasVersion: true}, false},
		{"older repeat of a key written this run", writtenThisRun, Record{Hash: h2, Version: 1700, HasVersion: true}, true},
		{"same-second repeat", writtenThisRun, Record{Hash: h2, Version: 1800, HasVersion: true}, true},
		{"newer repeat is a change", writtenThisRun, Record{Hash: h2, Version: 1900, HasVersion: true}, false},
		{"repeat without a version column", writtenThisRun, Record{Hash: h2}, true},
	}
	for _, tt := range tests {
		if got := StaleRepeat(tt.cur, tt.rec, runStart); got != tt.want {
			t.Errorf("%s: StaleRepeat = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseHash(t *testing.T) {
	const hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	want := Hash{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}
	if got := ParseHash(hex64); got != want {
		t.Errorf("ParseHash = %x", got)
	}
	for _, bad := range []string{"", "00", hex64[:63] + "g", hex64 + "0"} {
		if got := ParseHash(bad); got != (Hash{}) {
			t.Errorf("ParseHash(%q) = %x, want zero", bad, got)
		}
	}
}

// Package evolvetest holds two generations of one table, compiled by
// canonic into real generated code, to test schema evolution end to end:
// v1 is the tickets table as first generated; v2 is the same project
// after a reviewer added a column (priority) and reworded a description,
// so it carries migration 0002 derived from v1's committed schema.json.
package evolvetest

//go:generate go run ../../cmd/canonic generate -q --root v1 --module github.com/canonic-data/canonic/internal/evolvetest/v1
//go:generate go run ../../cmd/canonic generate -q --root v2 --module github.com/canonic-data/canonic/internal/evolvetest/v2

// Package tables tests every generated ConnectWise table end to end: its
// backfill binary builds, and an in-process backfill (backfill.Main, the
// entry point of cmd/backfill-connectwise-<table>) through the real
// ConnectWise client against a cwfake server (cwfake.NewStoreWith: tickets,
// companies, contacts, members, boards, projects and time entries from one
// seed, referencing each other) loads every source record into the
// embedded engine, matches the served JSON field by field, writes nothing
// on a rerun and picks up changed and added records incrementally. The
// package holds tests only.
package tables

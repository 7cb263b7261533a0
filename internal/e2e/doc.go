// Package e2e holds end-to-end tests of the real backfill binary
// (cmd/backfill-connectwise-tickets): each test builds it once, runs it as a
// subprocess against a loopback ConnectWise-compatible server (cwfake, in
// process, so tests can mutate its store) and reads what it wrote straight
// from the warehouse, on both engines: embedded ClickHouse (chDB, in a data
// directory the binary owns while it runs) and a private ClickHouse 18.16
// server (internal/testenv/chserver).
//
// Expected values come from the records cwfake serves (Store.Tickets), read
// field by field in the tests, never from the generated mapper.
//
// The engines are optional: a test skips when one is missing, unless the
// environment has CI=true, where it fails. Everything skips under -short.
package e2e

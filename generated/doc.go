// Package generated holds the code canonic compiles from mappings/: one
// package per table under generated/<service>/<table>. Do not edit those
// files; change the mapping and run go generate ./... (or make generate).
package generated

//go:generate go run ../cmd/canonic generate -q

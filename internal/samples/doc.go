// Package samples holds recorded ConnectWise records (testdata/) and the
// tests that run the generated mappers over them.
package samples

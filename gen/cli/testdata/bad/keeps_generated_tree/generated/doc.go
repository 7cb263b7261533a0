// Package generated is hand-written: no header, never touched.
package generated

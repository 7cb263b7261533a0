package sourcespec

import (
	"bytes"
	"strings"
)

// Text from the OpenAPI document, made fit for descriptions and messages.

// cleanText trims and collapses whitespace.
func cleanText(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "..."
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func abbrev(raw []byte) string {
	s := string(bytes.TrimSpace(raw))
	if s == "" {
		return "nothing"
	}
	return truncate(s, 40)
}

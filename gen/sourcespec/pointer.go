package sourcespec

import "strings"

// JSON pointers (RFC 6901) into the OpenAPI document, for where an import error is.

// componentPtr points at a component schema.
func componentPtr(name string) string { return "/components/schemas/" + escapePointer(name) }

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func unescapePointer(s string) string {
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(s)
}

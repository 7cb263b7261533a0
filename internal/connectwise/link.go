package connectwise

import (
	"net/http"
	"strings"
)

// Link is one target of an RFC 5988 / RFC 8288 Link header.
type Link struct {
	URL  string
	Rels []string // lower-cased relation types
}

// ParseLinks parses Link header values leniently: links may be spread over several header lines or
// comma-separated in one; whitespace around '<', '>', ';', '=' and ',' is optional; parameter values
// may be quoted with double or single quotes or bare; rel may list several space-separated types;
// parameter names and relation types are case-insensitive. Unparseable fragments are skipped.
func ParseLinks(values []string) []Link {
	var links []Link
	for _, v := range values {
		s := v
		for {
			i := strings.IndexByte(s, '<')
			if i < 0 {
				break
			}
			s = s[i+1:]
			j := strings.IndexByte(s, '>')
			if j < 0 {
				break
			}
			l := Link{URL: strings.TrimSpace(s[:j])}
			s = s[j+1:]
			// Parameters until the next top-level ',' (or the end).
			for {
				s = strings.TrimLeft(s, " \t")
				if s == "" || s[0] == ',' {
					break
				}
				if s[0] != ';' {
					// Garbage: skip to the next link.
					if k := strings.IndexByte(s, ','); k >= 0 {
						s = s[k:]
						continue
					}
					s = ""
					break
				}
				s = strings.TrimLeft(s[1:], " \t")
				k := strings.IndexAny(s, "=;,")
				var name, val string
				if k < 0 {
					name, s = s, ""
				} else {
					name = s[:k]
					s = s[k:]
				}
				name = strings.ToLower(strings.TrimSpace(name))
				if s != "" && s[0] == '=' {
					val, s = parseParamValue(strings.TrimLeft(s[1:], " \t"))
				}
				if name == "rel" {
					for _, r := range strings.Fields(val) {
						l.Rels = append(l.Rels, strings.ToLower(r))
					}
				}
			}
			if l.URL != "" {
				links = append(links, l)
			}
		}
	}
	return links
}

// parseParamValue reads a quoted or bare parameter value and returns it with the rest of the input.
func parseParamValue(s string) (val, rest string) {
	if s == "" {
		return "", ""
	}
	if q := s[0]; q == '"' || q == '\'' {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && q == '"' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			case c == q:
				return b.String(), s[i+1:]
			default:
				b.WriteByte(c)
			}
		}
		return b.String(), "" // unterminated: take the rest
	}
	k := strings.IndexAny(s, ";,")
	if k < 0 {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(s[:k]), s[k:]
}

// nextLink returns the target of the first rel="next" link in h.
func nextLink(h http.Header) (string, bool) {
	for _, l := range ParseLinks(h.Values("Link")) {
		for _, r := range l.Rels {
			if r == "next" {
				return l.URL, true
			}
		}
	}
	return "", false
}

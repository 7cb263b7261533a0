package maprt

import (
	"bytes"
	"unicode/utf8"
)

// InvalidUTF8Paths calls fn with the source path ("summary",
// "status__name": keys joined by "__", array positions left out, as
// FieldError.Path names them) of every string value of rec holding
// invalid UTF-8 or a lone UTF-16 surrogate escape ("\ud800"), which
// Unmarshal replaces with U+FFFD without a word. rec is a record the page
// scanner validated; on malformed input the walk stops early but never
// panics. Valid records cost one utf8.Valid pass and a search for "\ud".
func InvalidUTF8Paths(rec []byte, fn func(path string)) {
	if utf8.Valid(rec) && !bytes.Contains(rec, []byte(`\ud`)) && !bytes.Contains(rec, []byte(`\uD`)) {
		return
	}
	w := utf8Walker{b: rec, fn: fn}
	w.value("")
}

// utf8Walker walks a JSON value looking for strings with invalid UTF-8.
type utf8Walker struct {
	b  []byte
	i  int
	fn func(path string)
}

func (w *utf8Walker) space() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

// str reads the string starting at the opening quote and returns its raw
// content (escapes left as they are: they are ASCII).
func (w *utf8Walker) str() ([]byte, bool) {
	start := w.i + 1
	for j := start; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			j++
		case '"':
			w.i = j + 1
			return w.b[start:j], true
		}
	}
	w.i = len(w.b)
	return nil, false
}

func (w *utf8Walker) value(path string) bool {
	w.space()
	if w.i >= len(w.b) {
		return false
	}
	switch w.b[w.i] {
	case '"':
		s, ok := w.str()
		if ok && (!utf8.Valid(s) || loneSurrogate(s)) {
			w.fn(path)
		}
		return ok
	case '{':
		w.i++
		for {
			w.space()
			if w.i >= len(w.b) {
				return false
			}
			switch w.b[w.i] {
			case '}':
				w.i++
				return true
			case ',':
				w.i++
				continue
			case '"':
			default:
				return false
			}
			key, ok := w.str()
			if !ok {
				return false
			}
			w.space()
			if w.i >= len(w.b) || w.b[w.i] != ':' {
				return false
			}
			w.i++
			child := string(key)
			if path != "" {
				child = path + "__" + child
			}
			if !w.value(child) {
				return false
			}
		}
	case '[':
		w.i++
		for {
			w.space()
			if w.i >= len(w.b) {
				return false
			}
			switch w.b[w.i] {
			case ']':
				w.i++
				return true
			case ',':
				w.i++
				continue
			}
			if !w.value(path) {
				return false
			}
		}
	default: // number, true, false, null
		for w.i < len(w.b) {
			switch w.b[w.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return true
			}
			w.i++
		}
		return true
	}
}

// loneSurrogate reports whether the raw content s of a JSON string holds a
// \u escape of a UTF-16 surrogate that is not half of a pair.
func loneSurrogate(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		if i+5 >= len(s) || s[i+1] != 'u' {
			i++ // another escape (or a cut one): skip its character
			continue
		}
		r := hex4(s[i+2 : i+6])
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if i+11 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
				if lo := hex4(s[i+8 : i+12]); lo >= 0xDC00 && lo <= 0xDFFF {
					i += 11
					continue
				}
			}
			return true
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		}
		i += 5
	}
	return false
}

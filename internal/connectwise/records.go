package connectwise

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/canonic-data/canonic/internal/jsonscan"
)

// maxNesting bounds how deeply arrays and objects may nest inside a record.
const maxNesting = 1000

// SyntaxError reports malformed JSON in a page body. Offset is the byte position of the problem; the
// body content is deliberately not quoted (it may hold personal data).
type SyntaxError struct {
	Offset int
	Msg    string
	// Truncated is true when the body ended early (a cut connection may explain it, so a retry may
	// help); false for a body that will never parse (HTML, nesting too deep, a syntax error).
	Truncated bool
}

// Error gives the offset and the problem.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// ErrStop may be returned by a SplitRecords callback to end the walk early without an error.
var ErrStop = errors.New("connectwise: stop")

// SplitRecords walks body, which must be a JSON array of objects (optionally surrounded by
// whitespace), and calls fn with the raw bytes of each object, in order. The whole body is validated as
// strict JSON (RFC 8259 grammar; string contents are not checked for valid UTF-8); nothing is decoded
// or allocated.
//
// rec aliases body: it stays valid as long as body is not modified, and fn must copy it if it modifies
// it. Elements are checked one at a time, so fn may already have been called for earlier elements when
// a later one turns out to be malformed. If fn returns ErrStop the walk ends and SplitRecords returns
// nil; any other error is returned as is.
func SplitRecords(body []byte, fn func(rec []byte) error) error {
	_, err := scanArray(body, fn)
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// CountRecords validates body like SplitRecords and returns the number of objects in the array.
func CountRecords(body []byte) (int, error) {
	return scanArray(body, nil)
}

// idSummary summarizes the top-level "id" of the records of a page, for the forward-only paging rules.
type idSummary struct {
	records int
	min     int64 // the smallest id
	last    int64 // the id of the last record with one
	missing int   // records without an integer id
}

// scanPageIDs validates body like CountRecords and summarizes the records' top-level "id" values in
// the same pass.
func scanPageIDs(body []byte) (idSummary, error) {
	ids, _, err := scanPage(body, nil)
	return ids, err
}

// pageScan is what the validating scan of a page found besides its ids.
type pageScan struct {
	bounds []int // each record's start and end offsets in the body
	// replaces is true when some string holds invalid UTF-8 or a \u escape of a UTF-16 surrogate
	// (paired or not): what a decoder may replace with U+FFFD.
	replaces bool
}

// scanPage is scanPageIDs that also appends each record's start and end offsets in body to bounds
// and notes strings a decoder may replace.
func scanPage(body []byte, bounds []int) (idSummary, pageScan, error) {
	var ids idSummary
	s := scanner{b: body, idKey: "id", bounds: bounds}
	s.onID = func(id int64, ok bool) {
		switch {
		case !ok:
			ids.missing++
		case ids.records == ids.missing: // the first id
			ids.min = id
		default:
			ids.min = min(ids.min, id)
		}
		if ok {
			ids.last = id
		}
		ids.records++
	}
	n, err := s.elements(nil)
	ids.records = n
	return ids, pageScan{bounds: s.bounds, replaces: s.replaces}, err
}

// scanArray validates body as a JSON array of objects, calling fn (when non-nil) for each element.
func scanArray(body []byte, fn func(rec []byte) error) (int, error) {
	s := scanner{b: body}
	return s.elements(fn)
}

// elements validates s.b as a JSON array of objects, calling fn (when non-nil) for each element and
// s.onID (when non-nil) with each element's top-level s.idKey.
func (s *scanner) elements(fn func(rec []byte) error) (int, error) {
	s.skipSpace()
	if s.i >= len(s.b) {
		return 0, s.errorf("empty body, want a JSON array")
	}
	if s.b[s.i] != '[' {
		return 0, s.errorf("body starts with %s, want a JSON array", describe(s.b[s.i]))
	}
	s.i++
	s.skipSpace()
	n := 0
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
	} else {
		for {
			if s.i >= len(s.b) {
				return n, s.truncated("unexpected end of input (truncated body?)")
			}
			if s.b[s.i] != '{' {
				return n, s.errorf("array element %d starts with %s, want an object", n, describe(s.b[s.i]))
			}
			start := s.i
			s.id, s.idOK = 0, false
			if err := s.value(0); err != nil {
				return n, err
			}
			if s.onID != nil {
				s.onID(s.id, s.idOK)
			}
			if s.bounds != nil {
				s.bounds = append(s.bounds, start, s.i)
			}
			if fn != nil {
				if err := fn(s.b[start:s.i]); err != nil {
					return n, err
				}
			}
			n++
			s.skipSpace()
			if s.i >= len(s.b) {
				return n, s.truncated("unexpected end of input after element %d (truncated body?)", n-1)
			}
			c := s.b[s.i]
			s.i++
			if c == ']' {
				break
			}
			if c != ',' {
				s.i--
				return n, s.errorf("found %s after element %d, want ',' or ']'", describe(c), n-1)
			}
			s.skipSpace()
		}
	}
	s.skipSpace()
	if s.i != len(s.b) {
		return n, s.errorf("trailing data after the array")
	}
	return n, nil
}

// scanner is a validating, non-allocating JSON scanner over a byte slice.
type scanner struct {
	b []byte
	i int
	// idKey, when set, is a top-level key of each element whose integer value is kept in id (idOK
	// true) and reported to onID.
	idKey string
	id    int64
	idOK  bool
	onID  func(id int64, ok bool)
	// bounds, when not nil, collects each element's start and end offsets.
	bounds []int
	// replaces is set by a string holding invalid UTF-8 or a surrogate escape (see pageScan).
	replaces bool
}

func (s *scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: s.i, Msg: fmt.Sprintf(format, args...)}
}

// truncated reports that the input ended early.
func (s *scanner) truncated(format string, args ...any) error {
	return &SyntaxError{Offset: s.i, Msg: fmt.Sprintf(format, args...), Truncated: true}
}

func describe(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (s *scanner) skipSpace() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one JSON value starting at s.i (no leading whitespace).
func (s *scanner) value(depth int) error {
	if s.i >= len(s.b) {
		return s.truncated("unexpected end of input (truncated body?)")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(depth + 1)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		return s.str()
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	default:
		return s.errorf("unexpected %s, want a value", describe(c))
	}
}

func (s *scanner) object(depth int) error {
	if depth > maxNesting {
		return s.errorf("nesting deeper than %d", maxNesting)
	}
	s.i++ // '{'
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		if s.i >= len(s.b) {
			return s.truncated("unexpected end of input in object (truncated body?)")
		}
		if s.b[s.i] != '"' {
			return s.errorf("unexpected %s, want an object key", describe(s.b[s.i]))
		}
		keyStart := s.i
		if err := s.str(); err != nil {
			return err
		}
		isID := depth == 1 && s.idKey != "" && string(s.b[keyStart+1:s.i-1]) == s.idKey
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.truncated("unexpected end of input in object (truncated body?)")
		}
		if s.b[s.i] != ':' {
			return s.errorf("unexpected %s after object key, want ':'", describe(s.b[s.i]))
		}
		s.i++
		s.skipSpace()
		valStart := s.i
		if err := s.value(depth); err != nil {
			return err
		}
		if isID {
			id, err := strconv.ParseInt(string(s.b[valStart:s.i]), 10, 64)
			s.id, s.idOK = id, err == nil
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.truncated("unexpected end of input in object (truncated body?)")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("unexpected %s in object, want ',' or '}'", describe(s.b[s.i]))
		}
	}
}

func (s *scanner) array(depth int) error {
	if depth > maxNesting {
		return s.errorf("nesting deeper than %d", maxNesting)
	}
	s.i++ // '['
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.value(depth); err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.b) {
			return s.truncated("unexpected end of input in array (truncated body?)")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.skipSpace()
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("unexpected %s in array, want ',' or ']'", describe(s.b[s.i]))
		}
	}
}

// str scans a string literal starting at the opening quote.
func (s *scanner) str() error {
	b := s.b
	for i := s.i + 1; ; {
		i += jsonscan.ASCIIRun(b[i:])
		if i >= len(b) {
			s.i = len(b)
			return s.truncated("unexpected end of input in string (truncated body?)")
		}
		switch c := b[i]; c {
		case '"':
			s.i = i + 1
			return nil
		case '\\':
			i++
			if i >= len(b) {
				s.i = i
				return s.truncated("unexpected end of input in string escape (truncated body?)")
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					s.i = len(b)
					return s.truncated("unexpected end of input in \\u escape (truncated body?)")
				}
				for k := 1; k <= 4; k++ {
					if !isHex(b[i+k]) {
						s.i = i + k
						return s.errorf("invalid \\u escape")
					}
				}
				if b[i+1]|0x20 == 'd' && b[i+2] >= '8' { // \uD800 to \uDFFF
					s.replaces = true
				}
				i += 4
			default:
				s.i = i
				return s.errorf("invalid escape \\%c", b[i])
			}
			i++
		default:
			if c < 0x20 {
				s.i = i
				return s.errorf("control character %s in string", describe(c))
			}
			// Bytes from 0x80 up may be anything to JSON's grammar; note invalid UTF-8.
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				s.replaces = true
			}
			i += size
		}
	}
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	b := s.b
	i := s.i
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		s.i = i
		return s.errorf("invalid number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			return s.errorf("invalid number: no digits after '.'")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			s.i = i
			return s.errorf("invalid number: no digits in exponent")
		}
	}
	s.i = i
	return nil
}

func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return s.errorf("invalid literal, want %s", lit)
	}
	s.i += len(lit)
	return nil
}

// SplitValidated splits a JSON array of objects that was already
// validated (every page Client.Pages hands over has been checked with the
// same scanner as SplitRecords), tracking only nesting and string
// boundaries; a string's end is found with bytes.IndexByte. It is about
// twice as fast as SplitRecords but is no validator: on malformed input it
// may yield malformed records (which then fail to decode), never read out
// of bounds or panic.
func SplitValidated(body []byte, fn func(rec []byte) error) error {
	i := bytes.IndexByte(body, '[')
	if i < 0 {
		return errors.New("not a JSON array")
	}
	depth, start := 0, -1
	for i++; i < len(body); i++ {
		switch body[i] {
		case '"':
			for {
				j := bytes.IndexByte(body[i+1:], '"')
				if j < 0 {
					return errors.New("unterminated string")
				}
				i += 1 + j
				k := i - 1
				for k >= 0 && body[k] == '\\' {
					k--
				}
				if (i-1-k)%2 == 0 { // an even run of backslashes: the quote ends the string
					break
				}
			}
		case '{', '[':
			if depth == 0 {
				start = i
			}
			depth++
		case '}', ']':
			if depth == 0 {
				return nil // the array's end
			}
			depth--
			if depth == 0 {
				if err := fn(body[start : i+1]); err != nil {
					return err
				}
			}
		}
	}
	return errors.New("unterminated array")
}

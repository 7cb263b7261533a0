package maprt

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Lexer reads one JSON record for a generated fast decoder (decodeSource
// in each table's mapper.go), which fills the source struct without
// reflection and with one allocation for all its leaves and one for all
// its strings.
//
// The fast decoder is an optimisation, never a second authority: it
// decodes only what it can decode exactly as Unmarshal does, and on
// anything else reports false, and the caller decodes the whole record
// with Unmarshal instead, which then decides the values and the errors.
// It gives up on invalid JSON, a key with an escape or a non-ASCII byte,
// a key that names a field only case-insensitively, a repeated key, a
// value of the wrong kind, a surrogate escape, invalid UTF-8, an integer
// with a fraction, an exponent, a minus zero or more than 18 digits, a
// float ParseFloat rejects or a minus zero, and nesting deeper than
// maxLexDepth. A record of ConnectWise's usual shape has none of these.
//
// Methods do nothing once the lexer has failed; End says whether it did.
type Lexer struct {
	b      []byte
	i      int
	failed bool
	depth  int
	first  []bool // per open object: no key read yet
	key    []byte // the key Next read
	// strs holds the decoded strings back to back; End makes them one
	// string and points each destination into it.
	strs []byte
	refs []strRef
}

type strRef struct {
	dst        *string
	start, end int
}

// maxLexDepth is the deepest nesting the lexer reads; deeper records go to
// Unmarshal.
const maxLexDepth = 32

const (
	// longString is the length from which String allocates a string
	// without escapes on its own.
	longString = 4 << 10
	// maxPooledStrings is the largest strs buffer a lexer keeps in the pool.
	maxPooledStrings = 64 << 10
)

var lexers = sync.Pool{New: func() any { return new(Lexer) }}

// NewLexer returns a lexer over data, from a pool; End gives it back.
func NewLexer(data []byte) *Lexer {
	l := lexers.Get().(*Lexer)
	l.b, l.i, l.failed, l.depth = data, 0, false, 0
	l.first, l.strs, l.refs = l.first[:0], l.strs[:0], l.refs[:0]
	return l
}

// End checks that nothing but whitespace follows the record, stores the
// strings read, returns the lexer to the pool and reports whether the
// record was decoded (false: decode it with Unmarshal). The lexer must not
// be used after End.
func (l *Lexer) End() bool {
	l.space()
	ok := !l.failed && l.i == len(l.b) && l.depth == 0
	if ok && len(l.refs) > 0 {
		s := string(l.strs)
		for _, r := range l.refs {
			*r.dst = s[r.start:r.end]
		}
	}
	for i := range l.refs {
		l.refs[i].dst = nil // the pool must not keep the caller's values alive
	}
	if cap(l.strs) > maxPooledStrings {
		l.strs = nil // one odd record must not pin a large buffer in the pool
	}
	l.b, l.key = nil, nil
	lexers.Put(l)
	return ok
}

func (l *Lexer) fail() {
	l.failed = true
	l.i = len(l.b)
}

func (l *Lexer) space() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte (0 at the end).
func (l *Lexer) peek() byte {
	l.space()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

// Enter reads the start of an object and reports true, after which Next
// walks its keys; on null it reports false (the struct is left as it is,
// as Unmarshal leaves it). Any other value fails the lexer.
func (l *Lexer) Enter() bool {
	switch l.peek() {
	case '{':
		if l.depth >= maxLexDepth {
			l.fail()
			return false
		}
		l.i++
		l.depth++
		l.first = append(l.first, true)
		return true
	case 'n':
		l.literal("null")
	default:
		l.fail()
	}
	return false
}

// Next reads the next key of the object Enter opened and the colon after
// it, and reports true; at the object's end (or once failed) it reports
// false.
func (l *Lexer) Next() bool {
	if l.failed {
		return false
	}
	top := len(l.first) - 1
	c := l.peek()
	if c == '}' {
		l.i++
		l.depth--
		l.first = l.first[:top]
		return false
	}
	if !l.first[top] {
		if c != ',' {
			l.fail()
			return false
		}
		l.i++
		c = l.peek()
	}
	l.first[top] = false
	if c != '"' {
		l.fail()
		return false
	}
	start := l.i + 1
	j := start
	for j < len(l.b) && !stringSpecial[l.b[j]] {
		j++
	}
	if j == len(l.b) || l.b[j] != '"' {
		l.fail() // a key with an escape, a control character or a non-ASCII byte: Unmarshal unescapes and folds those
		return false
	}
	l.key = l.b[start:j]
	l.i = j + 1
	if l.peek() != ':' {
		l.fail()
		return false
	}
	l.i++
	return true
}

// Key is the key Next read, valid until the next call.
func (l *Lexer) Key() []byte { return l.key }

// Once marks the key at bit of *seen as read and reports true the first
// time; a repeated key fails the lexer.
func (l *Lexer) Once(seen *uint64, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		l.fail()
		return false
	}
	*seen |= 1 << bit
	return true
}

// Keys are the keys of one object of a source struct, by length, for Skip.
type Keys struct{ byLen [][]string }

// NewKeys returns the Keys of an object (generated code builds them once).
func NewKeys(keys ...string) *Keys {
	k := &Keys{}
	for _, key := range keys {
		for len(k.byLen) <= len(key) {
			k.byLen = append(k.byLen, nil)
		}
		k.byLen[len(key)] = append(k.byLen[len(key)], key)
	}
	return k
}

// Skip skips the value of a key the decoder does not read. keys are the
// object's fields: a key equal to one of them but for ASCII case would be
// read by Unmarshal, so it fails the lexer.
func (l *Lexer) Skip(keys *Keys) {
	if n := len(l.key); n < len(keys.byLen) {
		for _, k := range keys.byLen[n] {
			if foldEqualASCII(k, l.key) {
				l.fail()
				return
			}
		}
	}
	l.skipValue()
}

// foldEqualASCII reports whether k and b (of equal length, ASCII) are
// equal but for the case of letters.
func foldEqualASCII(k string, b []byte) bool {
	for i := range len(b) {
		if lowerASCII(k[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// present marks the key at bit of *seen as read (see Once) and reports
// whether a value other than null follows; it reads a null.
func (l *Lexer) present(seen *uint64, bit uint) bool {
	if !l.Once(seen, bit) {
		return false
	}
	if l.peek() == 'n' {
		l.literal("null")
		return false
	}
	return true
}

// numberOf reads the number of a present key (see present).
func (l *Lexer) numberOf(seen *uint64, bit uint) (lit []byte, integer, neg, ok bool) {
	if !l.present(seen, bit) {
		return nil, false, false, false
	}
	lit, integer, neg = l.number()
	return lit, integer, neg, !l.failed
}

// String reads a string or null into dst (at End) and returns dst, or nil
// for null.
func (l *Lexer) String(dst *string, seen *uint64, bit uint) *string {
	if !l.present(seen, bit) {
		return nil
	}
	if l.peek() != '"' {
		l.fail()
		return nil
	}
	// A long string without escapes (a description, a padded field) gets an
	// allocation of its own, of its exact size, rather than going through
	// strs and being copied again at End.
	if from := l.i + 1; len(l.b)-from > longString {
		if q := bytes.IndexByte(l.b[from:], '"'); q > longString && plainPrefix(l.b[from:from+q]) == q {
			*dst = string(l.b[from : from+q])
			l.i = from + q + 1
			return dst
		}
	}
	start := len(l.strs)
	l.str(true)
	l.refs = append(l.refs, strRef{dst, start, len(l.strs)})
	return dst
}

// Number reads a number's literal (as Number.UnmarshalJSON keeps it) or
// null; a quoted number is left to Unmarshal.
func (l *Lexer) Number(dst *Number, seen *uint64, bit uint) *Number {
	lit, _, _, ok := l.numberOf(seen, bit)
	if !ok {
		return nil
	}
	if _, err := strconv.ParseFloat(string(lit), 64); err != nil {
		l.fail()
		return nil
	}
	start := len(l.strs)
	l.strs = append(l.strs, lit...)
	l.refs = append(l.refs, strRef{(*string)(dst), start, len(l.strs)})
	return dst
}

// Int64 reads an integer of at most 18 digits, or null.
func (l *Lexer) Int64(dst *int64, seen *uint64, bit uint) *int64 {
	lit, integer, neg, ok := l.numberOf(seen, bit)
	if !ok {
		return nil
	}
	digits := lit
	if neg {
		digits = lit[1:]
	}
	if !integer || len(digits) > 18 || neg && digits[0] == '0' {
		l.fail()
		return nil
	}
	var n int64
	for _, c := range digits {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	*dst = n
	return dst
}

// Float64 reads a number as strconv.ParseFloat does, or null.
func (l *Lexer) Float64(dst *float64, seen *uint64, bit uint) *float64 {
	lit, _, neg, ok := l.numberOf(seen, bit)
	if !ok {
		return nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || f == 0 && neg {
		l.fail()
		return nil
	}
	*dst = f
	return dst
}

// Bool reads true, false or null.
func (l *Lexer) Bool(dst *bool, seen *uint64, bit uint) *bool {
	if !l.present(seen, bit) {
		return nil
	}
	switch l.peek() {
	case 't':
		l.literal("true")
		*dst = true
	case 'f':
		l.literal("false")
		*dst = false
	default:
		l.fail()
	}
	if l.failed {
		return nil
	}
	return dst
}

func (l *Lexer) literal(lit string) {
	if len(l.b)-l.i < len(lit) || string(l.b[l.i:l.i+len(lit)]) != lit {
		l.fail()
		return
	}
	l.i += len(lit)
}

// number reads a number of JSON's grammar and returns its literal, whether
// it is an integer (no fraction or exponent) and whether it is negative.
func (l *Lexer) number() (lit []byte, integer, neg bool) {
	l.space()
	b, start, i := l.b, l.i, l.i
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i]-'0' <= 9 {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		l.fail()
		return nil, false, false
	}
	integer = true
	if i < len(b) && b[i] == '.' {
		i++
		integer = false
		if digits() == 0 {
			l.fail()
			return nil, false, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		integer = false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			l.fail()
			return nil, false, false
		}
	}
	l.i = i
	return b[start:i], integer, neg
}

// stringSpecial marks the bytes a string scan stops at: the quote, the
// backslash, control characters and the start of a multi-byte sequence.
var stringSpecial = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf
	}
	return t
}()

// plainPrefix returns the length of s's longest prefix of printable
// ASCII without a backslash (bytes a string holds as they are), checking
// eight bytes at a time.
func plainPrefix(s []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		// A byte's high bit is set by a byte >= 0x80, one below 0x20 (the
		// subtraction borrows) or a backslash (x^'\\' is 0, minus one
		// borrows); a borrow can only mark bytes after a marked one.
		if ((x-0x20*ones)|x|((x^'\\'*ones)-ones))&highs != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// str reads the string at l.i (its opening quote), appending its decoded
// text to l.strs when keep is set. It fails on anything Unmarshal would
// reject or change: control characters, bad escapes, surrogate escapes and
// invalid UTF-8.
func (l *Lexer) str(keep bool) {
	b := l.b
	i := l.i + 1
	for {
		// A kept string's short runs a byte at a time; a long run, and a
		// skipped string (mostly links), by finding the quote and checking up
		// to it eight bytes at a time.
		n, short := 0, 16
		if !keep {
			short = 0
		}
		for n < short && i+n < len(b) && !stringSpecial[b[i+n]] {
			n++
		}
		if n == short {
			q := bytes.IndexByte(b[i+n:], '"')
			if q < 0 {
				l.fail()
				return
			}
			n += plainPrefix(b[i+n : i+n+q])
		}
		if keep {
			l.strs = append(l.strs, b[i:i+n]...)
		}
		i += n
		if i == len(b) {
			l.fail()
			return
		}
		switch c := b[i]; {
		case c == '"':
			l.i = i + 1
			return
		case c == '\\':
			if i+1 >= len(b) {
				l.fail()
				return
			}
			var r rune
			switch b[i+1] {
			case '"', '\\', '/':
				r = rune(b[i+1])
			case 'b':
				r = '\b'
			case 'f':
				r = '\f'
			case 'n':
				r = '\n'
			case 'r':
				r = '\r'
			case 't':
				r = '\t'
			case 'u':
				if i+6 > len(b) {
					l.fail()
					return
				}
				v := hex4(b[i+2 : i+6])
				if utf8.RuneLen(v) < 0 { // not hex, or a surrogate: Unmarshal pairs or replaces those
					l.fail()
					return
				}
				r = v
				i += 4
			default:
				l.fail()
				return
			}
			i += 2
			if keep {
				l.strs = utf8.AppendRune(l.strs, r)
			}
		case c < 0x20:
			l.fail()
			return
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				l.fail() // Unmarshal replaces invalid UTF-8
				return
			}
			if keep {
				l.strs = append(l.strs, b[i:i+size]...)
			}
			i += size
		}
	}
}

// hex4 reads four hex digits (-1 when they are not).
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// skipValue skips one value, checking it as Unmarshal would.
func (l *Lexer) skipValue() {
	switch l.peek() {
	case '"':
		l.str(false)
	case '{':
		if l.Enter() {
			for l.Next() {
				l.skipValue()
			}
		}
	case '[':
		if l.depth >= maxLexDepth {
			l.fail()
			return
		}
		l.i++
		l.depth++
		if l.peek() == ']' {
			l.i++
			l.depth--
			return
		}
		for !l.failed {
			l.skipValue()
			switch l.peek() {
			case ',':
				l.i++
				continue
			case ']':
				l.i++
				l.depth--
			default:
				l.fail()
			}
			return
		}
	case 't':
		l.literal("true")
	case 'f':
		l.literal("false")
	case 'n':
		l.literal("null")
	default:
		l.number()
	}
}

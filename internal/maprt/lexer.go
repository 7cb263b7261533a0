package maprt

import (
	"sync"

	"github.com/canonic-data/canonic/internal/jsonscan"
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
	j := start + jsonscan.ASCIIRun(l.b[start:])
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

package maprt

import (
	"strconv"
	"unicode/utf8"

	"github.com/canonic-data/canonic/internal/jsonscan"
)

// The values a Lexer reads: strings, numbers, booleans and null, each
// exactly as Unmarshal reads them or not at all (the lexer fails). The
// objects around them are walked in lexer.go.

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
	from := l.i + 1
	n := jsonscan.ASCIIRun(l.b[from:])
	if end := from + n; n > longString && end < len(l.b) && l.b[end] == '"' {
		*dst = string(l.b[from:end])
		l.i = end + 1
		return dst
	}
	start := len(l.strs)
	l.strs = append(l.strs, l.b[from:from+n]...)
	l.text(from+n, true)
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

// str reads the string at l.i (its opening quote), appending its decoded
// text to l.strs when keep is set. It fails on anything Unmarshal would
// reject or change: control characters, bad escapes, surrogate escapes and
// invalid UTF-8.
func (l *Lexer) str(keep bool) {
	i := l.i + 1
	n := jsonscan.ASCIIRun(l.b[i:])
	if keep {
		l.strs = append(l.strs, l.b[i:i+n]...)
	}
	l.text(i+n, keep)
}

// text reads the rest of a string from i, where a run of its plain bytes
// (jsonscan.ASCIIRun) ended: a byte each run stops at, then the next run.
func (l *Lexer) text(i int, keep bool) {
	b := l.b
	for {
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
		n := jsonscan.ASCIIRun(b[i:])
		if keep {
			l.strs = append(l.strs, b[i:i+n]...)
		}
		i += n
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

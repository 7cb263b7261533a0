package chschema_test

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/canonic-data/canonic/internal/chschema"
)

// unquoteCH reads a whole ClickHouse string literal the way ClickHouse's
// lexer does: \b \f \r \n \t \0 \a \v \xHH, a doubled quote, \c for any
// other c; a raw line break ends nothing but is rejected here, because
// QuoteString must never emit one.
func unquoteCH(lit string) (string, error) { return unquote(lit, '\'') }

// unquote is unquoteCH for literals quoted with q (' or `).
func unquote(lit string, q byte) (string, error) {
	if len(lit) < 2 || lit[0] != q || lit[len(lit)-1] != q {
		return "", fmt.Errorf("not quoted: %q", lit)
	}
	var b strings.Builder
	s := lit[1 : len(lit)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			if i+1 < len(s) && s[i+1] == q {
				b.WriteByte(q)
				i++
				continue
			}
			return "", fmt.Errorf("literal ends early at byte %d", i+1)
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("raw control character %#x at byte %d", c, i+1)
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("escapes the closing quote")
		}
		switch e := s[i]; e {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte('\a')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			if i+3 > len(s) {
				return "", fmt.Errorf("short \\x escape")
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				return "", err
			}
			b.WriteByte(byte(v))
			i += 2
		default:
			b.WriteByte(e)
		}
	}
	return b.String(), nil
}

var quoteSeeds = []string{
	"", "plain", "it's", `back\slash`, `\'`, `\\'`, "'); DROP TABLE x; --", "*/ /* // --", "`tick`",
	"line\nbreak", "cr\rlf\r\n", "tab\t", "nul\x00byte", "bell\a esc\x1b del\x7f", "\x01\x1f",
	"emoji 🎫👩‍💻", "RTL \u202e override", "LS\u2028PS\u2029NEL\u0085", "BOM\ufeff", "''", "'", `\`, "\\x41", "\\0",
}

func TestQuoteStringRoundTrip(t *testing.T) {
	check := func(s string) {
		t.Helper()
		q := chschema.QuoteString(s)
		got, err := unquoteCH(q)
		if err != nil || got != s {
			t.Errorf("QuoteString(%q) = %s, reads back as %q, %v", s, q, got, err)
		}
		if strings.ContainsAny(q, "\n\r\x00") {
			t.Errorf("QuoteString(%q) = %q holds a raw line break or NUL", s, q)
		}
	}
	for _, s := range quoteSeeds {
		check(s)
	}
	// Every ASCII byte, alone and in pairs.
	for a := 0; a < 128; a++ {
		check(string(rune(a)))
		for b := 0; b < 128; b += 7 {
			check(string([]rune{rune(a), rune(b)}))
		}
	}
	// Random strings over a hostile alphabet.
	alphabet := []rune("'\\\"`\n\r\t\x00\x01\x7f*/-;#xn0 aé🎫\u2028\ufeff")
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		r := make([]rune, rng.Intn(12))
		for j := range r {
			r[j] = alphabet[rng.Intn(len(alphabet))]
		}
		check(string(r))
	}
}

func TestUnquoteCHRejects(t *testing.T) {
	for _, lit := range []string{"'a'b'", "'a\\'", "'a\nb'", "abc", "'\\x4'"} {
		if _, err := unquoteCH(lit); err == nil {
			t.Errorf("unquoteCH(%q) accepted a broken literal", lit)
		}
	}
	if got, err := unquoteCH(`'a''b\q'`); err != nil || got != "a'bq" {
		t.Errorf("unquoteCH = %q, %v", got, err)
	}
}

func FuzzQuoteString(f *testing.F) {
	for _, s := range quoteSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("mapping text is valid UTF-8 (YAML guarantees it)")
		}
		q := chschema.QuoteString(s)
		got, err := unquoteCH(q)
		if err != nil || got != s {
			t.Fatalf("QuoteString(%q) = %s, reads back as %q, %v", s, q, got, err)
		}
	})
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{"tickets": "`tickets`", "a`b": "`a\\`b`", `a\b`: "`a\\\\b`"} {
		if got := chschema.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	// The same escaping rule as QuoteString, with backticks.
	for _, s := range quoteSeeds {
		q := chschema.QuoteIdent(s)
		if got, err := unquote(q, '`'); err != nil || got != s {
			t.Errorf("QuoteIdent(%q) = %s, reads back as %q, %v", s, q, got, err)
		}
	}
}

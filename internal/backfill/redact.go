package backfill

import (
	"io"
	"os"
	"slices"
	"strings"
)

// redactor replaces secrets in everything written through the writers it
// wraps: a last line of defence behind the packages that already keep
// secrets out of their errors.
type redactor struct {
	secrets []string
}

func (r *redactor) add(secrets ...string) {
	for _, s := range secrets {
		if len(s) >= 4 && !slices.Contains(r.secrets, s) { // shorter strings would mangle ordinary text
			r.secrets = append(r.secrets, s)
		}
	}
}

// redact returns s with the secrets replaced.
func (r *redactor) redact(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[REDACTED]")
	}
	return s
}

func (r *redactor) wrap(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return &redactingFile{redactingWriter{w: w, r: r}, f}
	}
	return &redactingWriter{w: w, r: r}
}

type redactingWriter struct {
	w io.Writer
	r *redactor
}

func (w *redactingWriter) Write(p []byte) (int, error) {
	if len(w.r.secrets) == 0 {
		return w.w.Write(p)
	}
	s := w.r.redact(string(p))
	if _, err := io.WriteString(w.w, s); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactingFile keeps the *os.File visible so terminal detection works.
type redactingFile struct {
	redactingWriter
	f *os.File
}

func (w *redactingFile) Fd() uintptr { return w.f.Fd() }

package connectwise

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ErrRetriesExhausted is matched (errors.Is) by the error returned once a request has used all its
// attempts; the error also wraps the last cause.
var ErrRetriesExhausted = errors.New("connectwise: retries exhausted")

// FieldError is one entry of the "errors" list in a ConnectWise error body.
type FieldError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource,omitempty"`
	Field    string `json:"field,omitempty"`
}

// APIError is an HTTP error answer from ConnectWise. When the body is ConnectWise's JSON error
// document ({"code":..., "message":..., "errors":[...]}) its fields are filled in; otherwise Message
// holds a short excerpt of the body (for example a proxy's HTML page) or the HTTP status text.
type APIError struct {
	Status  int
	Code    string
	Message string
	Errors  []FieldError
	// Method and URL identify the failed request. URL carries the query (conditions, paging), which
	// holds no secrets.
	Method, URL string
}

// Error includes the status, ConnectWise's code and message and any field errors.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connectwise: %s %s: HTTP %d", e.Method, e.URL, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for i, fe := range e.Errors {
		if i == 0 {
			b.WriteString(" [")
		} else {
			b.WriteString("; ")
		}
		if fe.Field != "" {
			b.WriteString(fe.Field + ": ")
		}
		b.WriteString(fe.Message)
		if fe.Code != "" {
			b.WriteString(" (" + fe.Code + ")")
		}
		if i == len(e.Errors)-1 {
			b.WriteString("]")
		}
	}
	return b.String()
}

// RetryError is returned when a request failed on every allowed attempt. It matches
// ErrRetriesExhausted and unwraps to the last cause (often an *APIError).
type RetryError struct {
	Attempts int
	Last     error
	// Why says why retrying stopped before MaxRetries ran out ("" when it ran out).
	Why string
}

// Error names the number of attempts, why it gave up and the last cause (which names the request).
func (e *RetryError) Error() string {
	if e.Why != "" {
		return fmt.Sprintf("connectwise: giving up after %d attempt(s), %s: %v", e.Attempts, e.Why, e.Last)
	}
	return fmt.Sprintf("connectwise: giving up after %d attempts: %v", e.Attempts, e.Last)
}

// Unwrap exposes both ErrRetriesExhausted and the last cause to errors.Is/As.
func (e *RetryError) Unwrap() []error { return []error{ErrRetriesExhausted, e.Last} }

// PagingFault is a page that broke the paging rules: the walk it belongs to cannot be trusted to have
// delivered every record, so a caller must not treat the records it read as the whole source.
type PagingFault struct {
	Page   int    // 1-based number of the page in its walk
	URL    string // the page's request URL (it carries no secrets)
	Reason string // one line
}

// Error names the page and the rule it broke.
func (e *PagingFault) Error() string {
	return fmt.Sprintf("connectwise: paging fault on page %d (GET %s): %s", e.Page, e.URL, e.Reason)
}

// newAPIError builds an APIError from a response body, scrubbing anything secret that a server might
// have echoed back.
func newAPIError(status int, method, rawURL string, body []byte, scrub func(string) string) *APIError {
	e := &APIError{Status: status, Method: method, URL: rawURL}
	var doc struct {
		Code    string       `json:"code"`
		Message string       `json:"message"`
		Errors  []FieldError `json:"errors"`
	}
	if err := json.Unmarshal(body, &doc); err == nil && (doc.Code != "" || doc.Message != "") {
		e.Code = clean(scrub(doc.Code), 200)
		e.Message = clean(scrub(doc.Message), 1000)
		for i, fe := range doc.Errors {
			if i == 20 {
				e.Errors = append(e.Errors, FieldError{Message: fmt.Sprintf("... %d more", len(doc.Errors)-i)})
				break
			}
			e.Errors = append(e.Errors, FieldError{
				Code: clean(scrub(fe.Code), 200), Message: clean(scrub(fe.Message), 500),
				Resource: clean(scrub(fe.Resource), 200), Field: clean(scrub(fe.Field), 200),
			})
		}
		return e
	}
	if msg := clean(scrub(excerpt(body, 64<<10)), 300); msg != "" {
		e.Message = msg
	} else {
		e.Message = http.StatusText(status)
	}
	return e
}

// clean collapses whitespace and control characters, drops invalid UTF-8 and truncates to n bytes.
func clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == ' ' }), " ")
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

// excerpt returns at most the first n bytes of body as a string. When it cuts, it also drops the last,
// possibly partial, word so that a secret echoed across the cut cannot survive half-scrubbed.
func excerpt(body []byte, n int) string {
	if len(body) <= n {
		return string(body)
	}
	b := body[:n]
	if i := bytes.LastIndexAny(b, " \t\r\n\"<>,;"); i >= 0 {
		b = b[:i]
	} else {
		b = nil
	}
	return string(b) + "..."
}

package cwfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// response is a fully rendered answer, emitted after fault decisions.
type response struct {
	status int
	header http.Header
	body   []byte
	page   bool // a list page (subject to SlowPage and MalformedFraction)
}

func jsonResponse(status int, v any) response {
	b, err := marshalRecord(v)
	if err != nil {
		b = []byte(`{"code":"UnexpectedError","message":"cannot render response"}`)
		status = http.StatusInternalServerError
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: b}
}

// apiError is ConnectWise's error body.
type apiError struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Errors  []apiFieldError `json:"errors,omitempty"`
}

type apiFieldError struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Resource string `json:"resource"`
	Field    string `json:"field"`
}

func errorResponse(status int, code, format string, args ...any) response {
	return jsonResponse(status, apiError{Code: code, Message: fmt.Sprintf(format, args...)})
}

func invalidParam(field, format string, args ...any) response {
	msg := fmt.Sprintf(format, args...)
	return jsonResponse(http.StatusBadRequest, apiError{Code: "InvalidObject", Message: field + " object is invalid",
		Errors: []apiFieldError{{Code: "OutOfRange", Message: msg, Resource: field, Field: field}}})
}

func serverError(status int) response {
	if status == http.StatusInternalServerError {
		return errorResponse(status, "UnexpectedError", "An unexpected error has occurred.")
	}
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	text := http.StatusText(status)
	body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n</body>\r\n</html>\r\n",
		status, text, status, text)
	return response{status: status, header: h, body: []byte(body)}
}

// writeResponse emits a response normally.
func writeResponse(w http.ResponseWriter, resp response) {
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

// emitReset sends the status line, headers (with the full Content-Length)
// and the first cut bytes of the body, then closes the connection.
func emitReset(w http.ResponseWriter, resp response, cut int) {
	resp.header.Set("Content-Length", strconv.Itoa(len(resp.body)))
	if hj, ok := w.(http.Hijacker); ok {
		conn, bufrw, err := hj.Hijack()
		if err == nil {
			defer conn.Close()
			fmt.Fprintf(bufrw, "HTTP/1.1 %d %s\r\n", resp.status, http.StatusText(resp.status))
			_ = resp.header.Write(bufrw)
			_, _ = bufrw.WriteString("\r\n")
			_, _ = bufrw.Write(resp.body[:cut])
			_ = bufrw.Flush()
			return
		}
	}
	// No hijacking (HTTP/2): write part of the body, then abort the stream.
	for k, vs := range resp.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body[:cut])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler)
}

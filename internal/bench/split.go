package bench

import (
	"bytes"
	"errors"
)

// SplitTrusted is a prototype for proposal P1/P2 of the report: it splits
// a JSON array of objects that was already validated (the ConnectWise
// client validates every page with connectwise.CountRecords before the
// loader splits it again with connectwise.SplitRecords), tracking only
// nesting and string boundaries; a string's end is found with
// bytes.IndexByte. It is not a validator: on malformed input it may
// return garbage records, never read out of bounds.
func SplitTrusted(body []byte, fn func(rec []byte) error) error {
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

package connectwise

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
)

// childParamRE is the one path parameter of a child endpoint template,
// "{parentId}" in "service/tickets/{parentId}/notes".
var childParamRE = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*\}`)

// ChildPath fills a child endpoint template's one path parameter with the
// parent record's id: "service/tickets/{parentId}/notes", 42 ->
// "service/tickets/42/notes".
func ChildPath(template string, parentID int64) (string, error) {
	if n := len(childParamRE.FindAllStringIndex(template, -1)); n != 1 {
		return "", fmt.Errorf("connectwise: child endpoint %q: want exactly one {parameter}, found %d", template, n)
	}
	return childParamRE.ReplaceAllLiteralString(template, strconv.FormatInt(parentID, 10)), nil
}

// FirstChild returns the first record of a child list endpoint of one
// parent record (template as in ChildPath) matching q.Conditions in
// q.OrderBy order, asking for one record only (pageSize=1, q.Fields); nil
// when none matches. Paging and retries are as for Pages.
func (c *Client) FirstChild(ctx context.Context, template string, parentID int64, q Query) ([]byte, error) {
	path, err := ChildPath(template, parentID)
	if err != nil {
		return nil, err
	}
	q.PageSize, q.ForwardOnly = 1, false
	params, err := q.params()
	if err != nil {
		return nil, err
	}
	u, err := c.buildURL(path, params)
	if err != nil {
		return nil, err
	}
	var first []byte
	_, err = c.get(ctx, u, nil, func(b []byte) error {
		first = nil
		return SplitRecords(b, func(rec []byte) error {
			if first == nil {
				first = append([]byte(nil), rec...)
			}
			return nil
		})
	}, nil)
	if err != nil {
		return nil, err
	}
	return first, nil
}

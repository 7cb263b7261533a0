package connectwise

import "context"

// Check makes one small request to endpoint (the id of its first record) so that a wrong base URL,
// credentials or client id, or an API member without access to endpoint, is known before anything
// is created on their strength. The error is the request's: an *APIError for a 401 or 403.
func (c *Client) Check(ctx context.Context, endpoint string) error {
	u, err := c.buildURL(endpoint, []param{{"fields", "id"}, {"page", "1"}, {"pageSize", "1"}})
	if err != nil {
		return err
	}
	_, err = c.get(ctx, u, nil, func(b []byte) error {
		_, err := CountRecords(b)
		return err
	}, nil)
	return err
}

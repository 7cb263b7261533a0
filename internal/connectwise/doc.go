// Package connectwise is a small, read-only REST client for the ConnectWise PSA (Manage) API, built for
// bulk backfills.
//
// It authenticates every request with the member API key pair and client id, pins the API model version
// through the Accept header, follows RFC 5988 Link headers page by page (classic page numbers or
// forward-only paging), validates that every page is a well-formed JSON array before handing it over,
// retries throttling (429, honouring Retry-After), server errors, timeouts and truncated bodies with
// bounded exponential backoff, and fails fast on other client errors with ConnectWise's own error
// message ([APIError]).
//
// A walk keeps one request ahead: the next page is asked for as soon as a page's headers name it,
// while that page's body is still being read and checked (see pageRequest). A walk that succeeds
// sends exactly the requests a walk one page at a time would; a page that fails its checks costs at
// most the one request sent ahead, which is cancelled and its answer discarded.
//
// Records are never decoded into maps: a page body is passed along as raw bytes and [SplitRecords]
// walks it, yielding each record's raw JSON object.
//
// Query conditions are built with the pure helpers in conditions.go ([Time], [Int], [Str], [In],
// [And], [Or], ...), which validate field names and quote values so that a value cannot change the
// shape of the expression.
//
// Secrets (public key, private key and the Basic authorization value) never appear in errors, logs or
// in the fmt/slog/JSON renderings of [Config] and [Client].
package connectwise

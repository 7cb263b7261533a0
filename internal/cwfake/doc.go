// Package cwfake is a ConnectWise PSA (Manage) REST API compatible server
// for tests and demos, used because the real ConnectWise is unreachable.
//
// A Store holds deterministic, seeded records as Go values: service tickets
// (NewStore), or tickets plus companies (some soft-deleted), contacts,
// members, boards, projects and time entries that reference each other
// (NewStoreWith; MutateEntity changes them between runs). It renders them
// as ConnectWise renders them: keys with no value are
// omitted (never null), timestamps are "YYYY-MM-DDTHH:MM:SSZ" in UTC,
// references are objects with an _info map of links. The Store keeps an
// entity registry keyed by endpoint path ("service/tickets"), so further
// endpoints (company/companies, time/entries, ...) are added by registering
// an Entity and its Records. Tickets have notes (Note, NotesPath:
// service/tickets/{parentId}/notes, with conditions, orderBy, fields,
// paging and /count): some tickets none, some no detail-description note,
// some two flagged, unicode and long texts.
//
// A Server (New) serves a Store over HTTP under a base path such as
// /v4_6_release/apis/3.0 with the ConnectWise protocol: Basic auth of
// "company+public:private" plus a clientId header, page/pageSize paging with
// an RFC 5988 Link header, forward-only paging (pagination-type header plus
// pageId), a real subset of the conditions language, orderBy, fields,
// /count, /{id}, and POST /search. Configurable faults (429 with
// Retry-After, 5xx, slow pages, truncated bodies, connection resets, a
// requests-per-window budget) are drawn from a seeded generator per request,
// so a retried request eventually succeeds. A hostile mode (Config.Hostile,
// see HostileModes) breaks the protocol on purpose the way a loader must
// notice: an empty first page, an empty page before more data, a full page
// without a next link, repeated records under a rising pageId, a page longer
// than pageSize, HTML or 10,000-deep JSON with status 200, Retry-After:
// 999999, records a megabyte wide.
//
// Admin endpoints, without auth, live under /_admin/: POST
// /_admin/mutate?seed=&changed=&deleted=&added=[&notes=] changes,
// hard-deletes and adds records (changed tickets sometimes get their
// description note rewritten, added ones get notes; notes= edits that many
// descriptions without touching the tickets) and returns a
// MutationReport; GET /_admin/stats returns Stats; POST
// /_admin/stats/reset clears them; POST /_admin/hostile?mode= switches the
// hostile mode ("" for none).
//
// Usage in another package's test:
//
//	store := cwfake.NewStore(42, 500)
//	srv := httptest.NewServer(cwfake.New(cwfake.Config{Store: store}))
//	defer srv.Close()
//	base := srv.URL + cwfake.DefaultBasePath + "/"
//	auth := cwfake.BasicAuth(cwfake.DefaultCompanyID, cwfake.DefaultPublicKey, cwfake.DefaultPrivateKey)
package cwfake

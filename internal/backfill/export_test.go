package backfill

// SetVerifyChunkRows makes --verify read the table n rows at a time, so
// tests cross several key ranges; it returns the function restoring it.
func SetVerifyChunkRows(n int64) (restore func()) {
	old := verifyChunkRows
	verifyChunkRows = n
	return func() { verifyChunkRows = old }
}

package connectwise

import (
	"sync"
	"time"
)

// tokenBucket is a reservation-style token bucket: every caller takes a token immediately (the balance
// may go negative) and is told how long to wait before using it. Reservations are handed out in call
// order, so concurrent users of one Client share the budget fairly.
type tokenBucket struct {
	mu     sync.Mutex
	perSec float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// newTokenBucket allows perMinute requests a minute with a burst of one second's worth (at least 1).
func newTokenBucket(perMinute int, now func() time.Time) *tokenBucket {
	burst := float64(max(1, perMinute/60))
	return &tokenBucket{perSec: float64(perMinute) / 60, burst: burst, tokens: burst, last: now(), now: now}
}

// reserve takes one token and returns how long the caller must wait before sending.
func (b *tokenBucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if el := now.Sub(b.last); el > 0 {
		b.tokens = min(b.burst, b.tokens+el.Seconds()*b.perSec)
		b.last = now
	}
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.perSec * float64(time.Second))
}

// cancel gives back a token whose reservation was abandoned (the caller's context ended while waiting).
func (b *tokenBucket) cancel() {
	b.mu.Lock()
	b.tokens = min(b.burst, b.tokens+1)
	b.mu.Unlock()
}

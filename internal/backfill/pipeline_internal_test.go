package backfill

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// pipeline hands pages to handle in the order fetch delivered them,
// whatever order the workers finish in, and stops every stage at the
// first error.
func TestPipeline(t *testing.T) {
	errPrepare := errors.New("prepare failed")
	errHandle := errors.New("handle failed")
	errFetch := errors.New("fetch failed")
	tests := []struct {
		name       string
		pages      int
		failPrep   int // prepare fails on this page (-1: never)
		failHandle int // handle fails on this page (-1: never)
		fetchErr   error
		want       error
		handled    int // pages handled
	}{
		{"all pages in order", 200, -1, -1, nil, nil, 200},
		{"prepare error in its place", 50, 20, -1, nil, errPrepare, 20},
		{"handle error stops the fetch", 50, -1, 7, nil, errHandle, 8},
		{"fetch error after its pages", 30, -1, -1, errFetch, errFetch, 30},
		{"handle error wins over fetch", 30, -1, 3, errFetch, errHandle, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			var fetched atomic.Int64
			err := pipeline(context.Background(), 3, func(int) int { return 3 << 20 }, func(ctx context.Context, enqueue func(int) error) error {
				for i := range tc.pages {
					fetched.Add(1)
					if err := enqueue(i); err != nil {
						return err
					}
				}
				return tc.fetchErr
			}, func(p int) (string, error) {
				time.Sleep(time.Duration(rand.IntN(300)) * time.Microsecond) // workers finish out of order
				if p == tc.failPrep {
					return "", errPrepare
				}
				return fmt.Sprint(p), nil
			}, func(s string) error {
				var p int
				fmt.Sscan(s, &p)
				got = append(got, p)
				if p == tc.failHandle {
					return errHandle
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if len(got) != tc.handled || !slices.IsSorted(got) || (len(got) > 0 && got[len(got)-1] != len(got)-1) {
				t.Fatalf("handled %v, want pages 0..%d in order", got, tc.handled-1)
			}
			if tc.want == errHandle && fetched.Load() == int64(tc.pages) && tc.pages > 20 {
				t.Errorf("the fetch went on to all %d pages after handle failed", tc.pages)
			}
		})
	}
}

// TestPipelineMemoryBound checks that pages whose bytes would exceed
// pipelineMemory together wait: with pages of 60% of it, only one is
// between its fetch and the end of its handling at a time, however many
// workers; with small pages several are.
func TestPipelineMemoryBound(t *testing.T) {
	for _, c := range []struct {
		size    int
		bounded bool // one page at a time; else several (as the queues allow)
	}{{pipelineMemory * 6 / 10, true}, {pipelineMemory * 3, true}, {1 << 20, false}} {
		var inFlight, most atomic.Int64
		var got []int
		err := pipeline(context.Background(), 4, func(int) int { return c.size }, func(ctx context.Context, enqueue func(int) error) error {
			for i := range 40 {
				if n := inFlight.Add(1); n > most.Load() {
					most.Store(n)
				}
				if err := enqueue(i); err != nil {
					return err
				}
			}
			return nil
		}, func(p int) (int, error) {
			time.Sleep(200 * time.Microsecond)
			return p, nil
		}, func(p int) error {
			time.Sleep(300 * time.Microsecond)
			got = append(got, p)
			inFlight.Add(-1)
			return nil
		})
		if err != nil || len(got) != 40 || !slices.IsSorted(got) {
			t.Fatalf("pages of %d bytes: %v, handled %v", c.size, err, got)
		}
		// The counter is raised before enqueue takes the tokens, so it can
		// read one more than the pages that hold them.
		if m := most.Load() - 1; c.bounded && m > 1 || !c.bounded && m < 2 {
			t.Errorf("pages of %d bytes: %d in flight at most (bounded by memory: %v)", c.size, m, c.bounded)
		}
	}
}

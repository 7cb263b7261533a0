package cwfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Record is one stored record of an entity. Stored records are treated as
// immutable: a change stores a new value under the same id.
type Record interface {
	// RecordID is the record's id, its key within the entity.
	RecordID() int
	// Field returns the value of a queryable field named by its canonical
	// path (a key of Entity.Fields, e.g. "board/id") and whether the record
	// has it. Values are int64 (FieldInt), float64 (FieldNumber), string,
	// time.Time or bool.
	Field(path string) (any, bool)
}

// Entity describes one collection endpoint of the registry.
type Entity struct {
	// Path is the endpoint path under the base path, e.g. "service/tickets".
	Path string
	// Noun names one record in messages, e.g. "Service Ticket".
	Noun string
	// Fields lists the fields conditions and orderBy may name, by canonical
	// path. Names are matched case-insensitively.
	Fields map[string]FieldType
	// Aliases maps other accepted names to canonical paths, e.g.
	// "lastUpdated" to "_info/lastUpdated".
	Aliases map[string]string
}

// resolve maps a field name from a condition or orderBy to its canonical
// path and type.
func (e *Entity) resolve(name string) (string, FieldType, bool) {
	for alias, path := range e.Aliases {
		if strings.EqualFold(alias, name) {
			name = path
			break
		}
	}
	for path, t := range e.Fields {
		if strings.EqualFold(path, name) {
			return path, t, true
		}
	}
	return "", 0, false
}

// collection is one entity's records, kept sorted by id.
type collection struct {
	entity *Entity
	ids    []int
	byID   map[int]Record
}

func (c *collection) put(r Record) {
	id := r.RecordID()
	if _, ok := c.byID[id]; !ok {
		i, _ := slices.BinarySearch(c.ids, id)
		c.ids = slices.Insert(c.ids, i, id)
	}
	c.byID[id] = r
}

func (c *collection) remove(id int) bool {
	if _, ok := c.byID[id]; !ok {
		return false
	}
	delete(c.byID, id)
	i, _ := slices.BinarySearch(c.ids, id)
	c.ids = slices.Delete(c.ids, i, i+1)
	return true
}

// Store holds the records the server serves, by entity. It is safe for
// concurrent use; Mutate and Register take the write lock.
type Store struct {
	mu      sync.RWMutex
	colls   map[string]*collection
	version uint64

	cacheMu sync.Mutex
	cache   map[string]*queryResult
	order   []string

	// renders caches rendered records (per path, id and fields list), so
	// the fake's own JSON encoding does not dominate benchmarks of the
	// client; cleared with the query cache, bounded by renderBytes.
	renders     map[renderKey]rendered
	renderBytes int
	renderCap   int // 0: DefaultRenderCacheBytes
	pageCache   bool

	// ticket generation state (reference data, clock, next id).
	tk *ticketGen
	// state of the entities NewStoreWith adds (nil for NewStore).
	rel *relGen
	// notes of the tickets (service/tickets/{parentId}/notes).
	notes *noteStore
}

// newEmptyStore returns a store with no entities.
func newEmptyStore() *Store {
	return &Store{colls: map[string]*collection{}, cache: map[string]*queryResult{}}
}

// Register adds an entity and its records to the registry, so the server
// serves them at Entity.Path like tickets (list, count, {id}, search). It
// fails if the path is already registered or a record id repeats. Start
// from NewStore(seed, 0) for a store without tickets.
func (s *Store) Register(e *Entity, records []Record) error {
	if e == nil || e.Path == "" || strings.Trim(e.Path, "/") != e.Path {
		return fmt.Errorf("cwfake: entity path must be non-empty without leading or trailing slash")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.colls[e.Path]; ok {
		return fmt.Errorf("cwfake: entity %q already registered", e.Path)
	}
	c := &collection{entity: e, byID: make(map[int]Record, len(records))}
	for _, r := range records {
		if _, dup := c.byID[r.RecordID()]; dup {
			return fmt.Errorf("cwfake: entity %q: duplicate id %d", e.Path, r.RecordID())
		}
		c.byID[r.RecordID()] = r
		c.ids = append(c.ids, r.RecordID())
	}
	sort.Ints(c.ids)
	s.colls[e.Path] = c
	s.version++
	return nil
}

// Entities returns the registered endpoint paths, sorted.
func (s *Store) Entities() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.colls))
	for p := range s.colls {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Entity returns the registered entity for an endpoint path.
func (s *Store) Entity(path string) (*Entity, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.colls[path]
	if !ok {
		return nil, false
	}
	return c.entity, true
}

// IDs returns the ids of an entity's records, ascending.
func (s *Store) IDs(path string) []int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.colls[path]
	if !ok {
		return nil
	}
	return slices.Clone(c.ids)
}

// Records returns an entity's records in id order.
func (s *Store) Records(path string) []Record {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.colls[path]
	if !ok {
		return nil
	}
	out := make([]Record, len(c.ids))
	for i, id := range c.ids {
		out[i] = c.byID[id]
	}
	return out
}

// Get returns one record.
func (s *Store) Get(path string, id int) (Record, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.colls[path]
	if !ok {
		return nil, false
	}
	r, ok := c.byID[id]
	return r, ok
}

// RecordJSON returns the exact bytes the server serves for one record.
func (s *Store) RecordJSON(path string, id int) ([]byte, bool) {
	r, ok := s.Get(path, id)
	if !ok {
		return nil, false
	}
	b, err := marshalRecord(r)
	if err != nil {
		return nil, false
	}
	return b, true
}

// RecordMaps returns every record of an entity, in id order, decoded from
// the JSON the server serves into map[string]any (numbers are float64), so
// tests can compare loaded rows field by field with what was served.
func (s *Store) RecordMaps(path string) []map[string]any {
	recs := s.Records(path)
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		b, err := marshalRecord(r)
		if err != nil {
			panic(fmt.Sprintf("cwfake: render %s %d: %v", path, r.RecordID(), err))
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("cwfake: decode %s %d: %v", path, r.RecordID(), err))
		}
		out = append(out, m)
	}
	return out
}

// orderKey is one orderBy term.
type orderKey struct {
	path string
	typ  FieldType
	desc bool
}

// queryResult is a cached, filtered and ordered snapshot of a collection.
type queryResult struct {
	records []Record
	ids     []int // ids of records, in the same order
	// pages holds whole page responses by request (see SetPageCache);
	// a change to the store makes a new result, so they never go stale.
	pages sync.Map // string -> response
}

// query returns the records of an entity matching cond (nil: all), ordered
// by keys (nil: id ascending). Results are cached per store version.
func (s *Store) query(path string, cond condition, condKey string, keys []orderKey, orderKeyStr string) (*queryResult, error) {
	s.mu.RLock()
	c, ok := s.colls[path]
	if !ok {
		s.mu.RUnlock()
		return nil, fmt.Errorf("cwfake: no entity %q", path)
	}
	version := s.version
	cacheKey := fmt.Sprintf("%d\x00%s\x00%s\x00%s", version, path, condKey, orderKeyStr)
	s.cacheMu.Lock()
	if r, ok := s.cache[cacheKey]; ok {
		s.cacheMu.Unlock()
		s.mu.RUnlock()
		return r, nil
	}
	s.cacheMu.Unlock()
	res := &queryResult{}
	for _, id := range c.ids {
		r := c.byID[id]
		if cond == nil || cond.eval(r) {
			res.records = append(res.records, r)
		}
	}
	s.mu.RUnlock()

	if len(keys) > 0 {
		sort.SliceStable(res.records, func(i, j int) bool {
			return lessRecords(res.records[i], res.records[j], keys)
		})
	}
	res.ids = make([]int, len(res.records))
	for i, r := range res.records {
		res.ids[i] = r.RecordID()
	}

	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	const maxCached = 16
	if len(s.order) >= maxCached {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
	}
	s.cache[cacheKey] = res
	s.order = append(s.order, cacheKey)
	return res, nil
}

// lessRecords orders two records by keys, then by id ascending. A missing
// value sorts before any value (SQL Server puts NULL first ascending).
func lessRecords(a, b Record, keys []orderKey) bool {
	for _, k := range keys {
		av, aok := a.Field(k.path)
		bv, bok := b.Field(k.path)
		var c int
		switch {
		case !aok && !bok:
			c = 0
		case !aok:
			c = -1
		case !bok:
			c = 1
		default:
			c = compareValues(av, bv)
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
	}
	return a.RecordID() < b.RecordID()
}

// compareValues compares two field values of the same type; strings
// compare case-insensitively like SQL Server's default collation.
func compareValues(a, b any) int {
	switch av := a.(type) {
	case int64:
		bv := b.(int64)
		switch {
		case av < bv:
			return -1
		case av > bv:
			return 1
		}
		return 0
	case float64:
		bv := b.(float64)
		switch {
		case av < bv:
			return -1
		case av > bv:
			return 1
		}
		return 0
	case string:
		return strings.Compare(strings.ToLower(av), strings.ToLower(b.(string)))
	case time.Time:
		return av.Compare(b.(time.Time))
	case bool:
		bv := b.(bool)
		switch {
		case av == bv:
			return 0
		case !av:
			return -1
		}
		return 1
	}
	panic(fmt.Sprintf("cwfake: cannot compare %T", a))
}

// bumpLocked invalidates cached query results; the caller holds s.mu.
func (s *Store) bumpLocked() {
	s.version++
	s.cacheMu.Lock()
	s.cache = map[string]*queryResult{}
	s.order = nil
	s.cacheMu.Unlock()
}

type renderKey struct {
	path   string
	id     int
	fields string
}

// rendered is a cached render of one stored record value. Stored records
// are immutable (a change stores a new value), so the render is valid while
// the store still holds that very value: a mutation invalidates only the
// records it changed, and a render racing it is filed under the old value.
type rendered struct {
	rec  Record
	body []byte
}

// DefaultRenderCacheBytes bounds the render cache unless
// SetRenderCacheBytes says otherwise; past the bound the cache starts
// over.
const DefaultRenderCacheBytes = 256 << 20

// SetRenderCacheBytes bounds the cache of rendered records at n bytes
// (0: DefaultRenderCacheBytes). A benchmark sizes it to hold every record
// it serves, so that after one warming sweep no page is rendered again and
// the figures measure the client, not the fake's JSON encoding.
func (s *Store) SetRenderCacheBytes(n int) {
	s.cacheMu.Lock()
	s.renderCap = n
	s.cacheMu.Unlock()
}

// SetPageCache keeps every list page served, as sent, with the query
// result it came from, until the store changes: a benchmark that warms it
// with one sweep then measures the client alone, not the fake assembling
// pages. Hostile modes bypass it.
func (s *Store) SetPageCache(on bool) {
	s.cacheMu.Lock()
	s.pageCache = on
	s.cacheMu.Unlock()
}

func (s *Store) pageCacheOn() bool {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	return s.pageCache
}

// render returns rec as served JSON (restricted to fields when given),
// from the cache when this record value was rendered before.
func (s *Store) render(path string, rec Record, fields []string) ([]byte, error) {
	k := renderKey{path, rec.RecordID(), strings.Join(fields, ",")}
	s.cacheMu.Lock()
	r, ok := s.renders[k]
	s.cacheMu.Unlock()
	if ok && r.rec == rec {
		return r.body, nil
	}
	b, err := renderRecord(rec, fields)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	limit := s.renderCap
	if limit <= 0 {
		limit = DefaultRenderCacheBytes
	}
	if s.renders == nil || s.renderBytes+len(b) > limit {
		s.renders, s.renderBytes = map[renderKey]rendered{}, 0
	}
	s.renderBytes += len(b) - len(s.renders[k].body)
	s.renders[k] = rendered{rec, b}
	s.cacheMu.Unlock()
	return b, nil
}

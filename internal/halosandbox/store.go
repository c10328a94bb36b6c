package halosandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// StateFile is the name of the state file New loads from and Save writes to, inside DataDir.
const StateFile = "halosandbox.json"

// stateVersion is bumped when the state file's layout changes incompatibly.
const stateVersion = 1

// collection holds the records of one store in creation order.
type collection struct {
	Next  int      `json:"next"` // the next integer id to hand out
	Items []Record `json:"items"`
	pos   map[string]int
}

// key canonicalises an id (integer or GUID) for lookups.
func key(v any) string {
	if n, ok := intOf(v); ok {
		return strconv.Itoa(n)
	}
	return strings.ToLower(textOf(v))
}

// find returns the index of the record with the given id, or -1.
func (c *collection) find(id any) int {
	if c.pos == nil {
		c.pos = make(map[string]int, len(c.Items))
		for i, r := range c.Items {
			c.pos[key(r["id"])] = i
		}
	}
	if i, ok := c.pos[key(id)]; ok {
		return i
	}
	return -1
}

// get returns the stored record with the given id (not a copy), or nil.
func (c *collection) get(id any) Record {
	if i := c.find(id); i >= 0 {
		return c.Items[i]
	}
	return nil
}

// put stores r, replacing the record with the same id or appending it.
func (c *collection) put(r Record) {
	if i := c.find(r["id"]); i >= 0 {
		c.Items[i] = r
		return
	}
	c.pos[key(r["id"])] = len(c.Items)
	c.Items = append(c.Items, r)
	if n := r.ID(); n >= c.Next {
		c.Next = n + 1
	}
}

// remove deletes the record with the given id and returns it, or nil.
func (c *collection) remove(id any) Record {
	i := c.find(id)
	if i < 0 {
		return nil
	}
	r := c.Items[i]
	c.Items = append(c.Items[:i], c.Items[i+1:]...)
	c.pos = nil
	return r
}

// token is an issued access token.
type token struct {
	Expires time.Time `json:"expires"`
	Scope   string    `json:"scope"`
}

// state is everything the sandbox persists.
type state struct {
	Version     int                    `json:"version"`
	Tenant      string                 `json:"tenant"`
	Collections map[string]*collection `json:"collections"`
	Tokens      map[string]token       `json:"tokens"`
	// NextLookupTable is the next lookup-table id handed to a new dropdown custom field.
	NextLookupTable int `json:"next_lookup_table"`
}

// coll returns the named collection, creating it when missing.
func (st *state) coll(name string) *collection {
	c, ok := st.Collections[name]
	if !ok {
		c = &collection{Next: 1}
		st.Collections[name] = c
	}
	return c
}

// loadState reads the state file in dir. It returns (nil, nil) when there is none.
func loadState(dir string) (*state, error) {
	data, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading sandbox state: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var st state
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("decoding sandbox state %s: %w", filepath.Join(dir, StateFile), err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("sandbox state %s has version %d, want %d", filepath.Join(dir, StateFile), st.Version, stateVersion)
	}
	if st.Collections == nil {
		st.Collections = map[string]*collection{}
	}
	if st.Tokens == nil {
		st.Tokens = map[string]token{}
	}
	return &st, nil
}

// writeState writes st to dir atomically: a temporary file in the same directory, synced, then
// renamed over the state file.
func writeState(dir string, st *state) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding sandbox state: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating sandbox data dir: %w", err)
	}
	f, err := os.CreateTemp(dir, StateFile+".*.tmp")
	if err != nil {
		return fmt.Errorf("creating temporary state file: %w", err)
	}
	defer os.Remove(f.Name()) // a no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing sandbox state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("syncing sandbox state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing sandbox state: %w", err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, StateFile)); err != nil {
		return fmt.Errorf("replacing sandbox state: %w", err)
	}
	return nil
}

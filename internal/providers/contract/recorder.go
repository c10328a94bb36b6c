package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Call is one request as a client sent it.
type Call struct {
	Method  string
	Path    string   // with the recorder's prefix removed
	Params  []string // query keys and JSON body keys at any depth, sorted
	Headers []string // header names, lower-cased, sorted
}

// Recorder is an http.Handler that records each request under Prefix and passes it on to Next.
type Recorder struct {
	Prefix string
	Next   http.Handler

	mu    sync.Mutex
	calls []Call
}

// ServeHTTP records r and serves it with Next.
func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := Call{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, rec.Prefix)}
	keys := map[string]bool{}
	for k := range r.URL.Query() {
		keys[k] = true
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		resolver{}.exampleKeys(v, keys, 0)
	}
	for k := range keys {
		call.Params = append(call.Params, k)
	}
	for k := range r.Header {
		call.Headers = append(call.Headers, strings.ToLower(k))
	}
	sort.Strings(call.Params)
	sort.Strings(call.Headers)
	rec.mu.Lock()
	rec.calls = append(rec.calls, call)
	rec.mu.Unlock()
	rec.Next.ServeHTTP(w, r)
}

// Calls returns the requests recorded so far.
func (rec *Recorder) Calls() []Call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]Call(nil), rec.calls...)
}

// Violations lists what in calls the spec does not document: unknown routes, unknown
// parameters, and (unless the route is in noAuth) requests carrying none of the documented
// credential names.
func (s *Spec) Violations(calls []Call, noAuth ...string) []string {
	var out []string
	for _, c := range calls {
		op := s.Find(c.Method, c.Path)
		if op == nil {
			out = append(out, fmt.Sprintf("%s %s: no such route in the contract", c.Method, c.Path))
			continue
		}
		for _, p := range c.Params {
			if !op.Params[p] && !s.authNames[strings.ToLower(p)] {
				out = append(out, fmt.Sprintf("%s %s: parameter %q is not in the contract", c.Method, c.Path, p))
			}
		}
		if !contains(noAuth, op.Path) && !s.carriesAuth(c) {
			out = append(out, fmt.Sprintf("%s %s: none of the credentials %v sent", c.Method, c.Path, s.AuthNames()))
		}
	}
	return out
}

// carriesAuth reports whether c sends a documented credential header or query parameter.
func (s *Spec) carriesAuth(c Call) bool {
	for _, h := range append(append([]string(nil), c.Headers...), c.Params...) {
		if s.authNames[strings.ToLower(h)] {
			return true
		}
	}
	return len(s.authNames) == 0
}

// contains reports whether list holds v.
func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

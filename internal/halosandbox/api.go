package halosandbox

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Route is one served route pattern, as written in Halo's swagger (relative to /api).
type Route struct {
	Pattern string   // "/Tickets" or "/Tickets/{id}"
	Methods []string // the verbs served, all present in the swagger
}

// Routes lists every route pattern the sandbox serves under /api, with its verbs.
func (s *Server) Routes() []Route {
	out := []Route{{Pattern: "/AuthInfo", Methods: []string{http.MethodGet}}}
	for _, res := range s.resources() {
		out = append(out,
			Route{Pattern: "/" + res.name, Methods: []string{http.MethodGet, http.MethodPost}},
			Route{Pattern: "/" + res.name + "/{id}", Methods: []string{http.MethodGet, http.MethodDelete}})
	}
	return out
}

// api routes a request under /api: 404 for unknown routes, 405 for verbs the route lacks, 401
// without a live token, then the resource handlers.
func (s *Server) api(r *http.Request) (*reply, outcome, []delivery) {
	out := outcome{counted: true}
	segs := apiSegments(r)
	route, res := s.route(r.Method, segs)
	out.route = route
	if len(segs) == 1 && strings.EqualFold(segs[0], "authinfo") {
		if r.Method != http.MethodGet {
			return notAllowed(http.MethodGet), out, nil
		}
		return s.authInfo(r), out, nil
	}
	if res == nil {
		return textReply(http.StatusNotFound, "Not Found"), out, nil
	}
	allowed := []string{http.MethodGet, http.MethodPost}
	if len(segs) == 2 {
		allowed = []string{http.MethodGet, http.MethodDelete}
	}
	if !slices.Contains(allowed, r.Method) {
		return notAllowed(allowed...), out, nil
	}
	if !s.authorized(r) {
		return unauthorized(), out, nil
	}
	return s.dispatch(r, res, segs, out)
}

// apiSegments splits the path of an /api request below /api.
func apiSegments(r *http.Request) []string {
	return strings.FieldsFunc(r.URL.Path[len("/api"):], func(c rune) bool { return c == '/' })
}

// route names the served route an /api request with path segments segs asks for ("GET
// /api/Tickets/{id}") and returns its resource (nil for AuthInfo); "" and nil when no route
// matches.
func (s *Server) route(method string, segs []string) (string, *resource) {
	if len(segs) == 1 && strings.EqualFold(segs[0], "authinfo") {
		return method + " /api/AuthInfo", nil
	}
	res := s.resource(segs)
	if res == nil || len(segs) > 2 || (len(segs) == 2 && !res.validID(segs[1])) {
		return "", nil
	}
	if len(segs) == 2 {
		return method + " /api/" + res.name + "/{id}", res
	}
	return method + " /api/" + res.name, res
}

// dispatch calls the handler for the verb.
func (s *Server) dispatch(r *http.Request, res *resource, segs []string, out outcome) (*reply, outcome, []delivery) {
	switch {
	case r.Method == http.MethodPost:
		rp, ds := s.post(r, res)
		out.applied = rp.status < 300
		return rp, out, ds
	case r.Method == http.MethodDelete:
		rp := s.remove(res, segs[1])
		out.applied = rp.status < 300
		return rp, out, nil
	case len(segs) == 2:
		return s.getOne(res, segs[1]), out, nil
	}
	return s.list(res, r.URL.Query()), out, nil
}

// notAllowed is a 405 naming the verbs the route has.
func notAllowed(methods ...string) *reply {
	rp := textReply(http.StatusMethodNotAllowed, "")
	rp.header.Set("Allow", strings.Join(methods, ", "))
	return rp
}

// resource finds the resource named by the first path segment, case-insensitively.
func (s *Server) resource(segs []string) *resource {
	if len(segs) == 0 {
		return nil
	}
	for _, res := range s.resources() {
		if strings.EqualFold(res.name, segs[0]) {
			return res
		}
	}
	return nil
}

// getOne answers GET /{Resource}/{id} with the bare detail object.
func (s *Server) getOne(res *resource, id string) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.st.coll(res.store).get(id)
	if rec == nil || !res.member(rec) {
		return textReply(http.StatusNotFound, res.single+" not found")
	}
	return jsonReply(http.StatusOK, s.render(res, rec, true))
}

// remove answers DELETE /{Resource}/{id} with the deleted object.
func (s *Server) remove(res *resource, id string) *reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.coll(res.store)
	if rec := c.get(id); rec == nil || !res.member(rec) {
		return textReply(http.StatusNotFound, res.single+" not found")
	}
	s.gen++
	return jsonReply(http.StatusOK, s.render(res, c.remove(id), true))
}

// list answers GET /{Resource}: filtered rows in id order (descending with order=id and
// orderdesc=true), paged, in the resource's envelope.
func (s *Server) list(res *resource, q url.Values) *reply {
	match, err := res.filter(q)
	if err != nil {
		return errorReply(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rows := s.matching(res, q, match)
	if res.key == "" {
		return jsonReply(http.StatusOK, s.renderAll(res, rows))
	}
	page, total := paginate(rows, q, res.paged)
	if s.knobs.recordCount >= 0 {
		total = s.knobs.recordCount
	}
	return jsonReply(http.StatusOK, map[string]any{"record_count": total, res.key: s.renderAll(res, page)})
}

// listCache holds the rows of the last list request, so the pages of one listing filter the
// collection once: a tenant of a million records is read page by page in time proportional
// to the pages, not to pages × records. Any change of the state (gen) invalidates it.
type listCache struct {
	gen   uint64
	res   *resource
	query string // the request's query without its paging parameters
	rows  []Record
}

// matching returns the records of res that match, in id order (descending with order=id and
// orderdesc=true), from the cache when the previous list request asked the same of the same
// state. The caller holds s.mu and must not modify the rows.
func (s *Server) matching(res *resource, q url.Values, match func(Record) bool) []Record {
	key := listKey(q)
	if c := s.last; c.rows != nil && c.gen == s.gen && c.res == res && c.query == key {
		return c.rows
	}
	rows := []Record{}
	for _, rec := range s.st.coll(res.store).Items {
		if res.member(rec) && match(rec) {
			rows = append(rows, rec)
		}
	}
	if strings.EqualFold(q.Get("order"), "id") && boolOf(q.Get("orderdesc")) {
		slices.Reverse(rows) // collections hold rows in id order
	}
	s.last = listCache{gen: s.gen, res: res, query: key, rows: rows}
	return rows
}

// listKey is a list query without its paging parameters (page_no, page_size): the pages of one
// listing share it.
func listKey(q url.Values) string {
	rest := url.Values{}
	for k, v := range q {
		if !strings.EqualFold(k, "page_no") && !strings.EqualFold(k, "page_size") {
			rest[k] = v
		}
	}
	return rest.Encode()
}

// renderAll renders list rows.
func (s *Server) renderAll(res *resource, rows []Record) []Record {
	out := make([]Record, len(rows))
	for i, rec := range rows {
		out[i] = s.render(res, rec, false)
	}
	return out
}

// paginate applies pageinate/page_no/page_size (when the route pages) or count. It returns the
// rows to send and the record_count to report: the number of matching rows, except that a
// count without paging reports the rows returned, as a live tenant did.
func paginate(rows []Record, q url.Values, paged bool) ([]Record, int) {
	if paged && boolOf(q.Get("pageinate")) {
		size := queryInt(q, "page_size", DefaultPageSize)
		if size <= 0 {
			size = DefaultPageSize
		}
		size = min(size, MaxPageSize)
		pageNo := max(queryInt(q, "page_no", 1), 1)
		start := min((pageNo-1)*size, len(rows))
		return rows[start:min(start+size, len(rows))], len(rows)
	}
	if n := queryInt(q, "count", 0); n > 0 && n < len(rows) {
		return rows[:n], n
	}
	return rows, len(rows)
}

// queryInt reads an integer query parameter, or def when it is absent or malformed.
func queryInt(q url.Values, name string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(q.Get(name)))
	if err != nil {
		return def
	}
	return n
}

// Package contract checks provider clients and sandboxes against the vendors' published API
// descriptions (OpenAPI, JSON or YAML) kept in the shared contracts folder beside the
// repository. Tests record the requests a client really sends (Recorder) and ask a Spec
// whether each route and each parameter exists; a sandbox's routes are checked the same way.
//
// The descriptions are reference data and are never copied into the repository: Open reads
// them at test time and skips the test when the folder is absent.
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Spec is the union of one provider's API description files.
type Spec struct {
	ops       []*Operation
	authNames map[string]bool
	base      string
}

// Operation is one documented route with every parameter name it documents: query, path and
// header parameters, request-body properties at any depth, keys of request examples, and the
// names in the description's parameter tables.
type Operation struct {
	Method string
	Path   string // relative to the server URL, with {name} placeholders
	Params map[string]bool
	re     *regexp.Regexp
}

// Dir returns the shared contracts folder: ../shared/contracts beside the module root found by
// walking up from the working directory to go.mod.
func Dir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "contracts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Open loads the named files under the contracts folder (for example "hunter/hunter-email-
// verifier-api-openapi.yml"), or skips t with a clear message when one is absent.
func Open(t testing.TB, files ...string) *Spec {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	spec := &Spec{authNames: map[string]bool{}}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f))
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("API contract %s not found: the conformance checks need the shared contracts folder beside the repository", path)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := spec.add(data, strings.HasSuffix(f, ".json")); err != nil {
			t.Fatalf("reading %s: %v", path, err)
		}
	}
	return spec
}

// Parse reads one description document (JSON when isJSON, else YAML) into a Spec.
func Parse(data []byte, isJSON bool) (*Spec, error) {
	spec := &Spec{authNames: map[string]bool{}}
	return spec, spec.add(data, isJSON)
}

// add merges one document.
func (s *Spec) add(data []byte, isJSON bool) error {
	var doc map[string]any
	var err error
	if isJSON {
		err = json.Unmarshal(data, &doc)
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return fmt.Errorf("decoding the API description: %w", err)
	}
	r := resolver{doc: doc}
	if s.base == "" {
		s.base = basePath(doc)
	}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		item, _ := item.(map[string]any)
		for method, op := range item {
			op, ok := op.(map[string]any)
			if !ok || !isVerb(method) {
				continue
			}
			s.addOp(strings.ToUpper(method), p, r.params(op, item))
		}
	}
	s.addAuth(r.get(doc, "components", "securitySchemes"))
	return nil
}

// addOp records an operation, merging the parameters of a route described in several files.
func (s *Spec) addOp(method, path string, params map[string]bool) {
	if op := s.Find(method, path); op != nil {
		for k := range params {
			op.Params[k] = true
		}
		return
	}
	pattern := "^" + regexp.MustCompile(`\\\{[^}]*\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$"
	s.ops = append(s.ops, &Operation{Method: method, Path: path, Params: params, re: regexp.MustCompile(pattern)})
}

// addAuth records the header and query names of the API-key schemes, and Authorization for
// HTTP schemes.
func (s *Spec) addAuth(schemes any) {
	m, _ := schemes.(map[string]any)
	for _, v := range m {
		sc, _ := v.(map[string]any)
		switch sc["type"] {
		case "apiKey":
			if name, ok := sc["name"].(string); ok {
				s.authNames[strings.ToLower(name)] = true
			}
		case "http", "oauth2":
			s.authNames["authorization"] = true
		}
	}
}

// Find returns the operation documenting method on path (a concrete path such as
// "/people/abc" matches "/people/{id}"), or nil.
func (s *Spec) Find(method, path string) *Operation {
	for _, op := range s.ops {
		if op.Method == method && (op.Path == path || op.re.MatchString(path)) {
			return op
		}
	}
	return nil
}

// AuthNames lists the documented credential header and query names, lower-cased and sorted.
func (s *Spec) AuthNames() []string {
	out := make([]string, 0, len(s.authNames))
	for k := range s.authNames {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// BasePath returns the path of the server URL of the first file ("/api/v1" for Apollo).
func (s *Spec) BasePath() string { return s.base }

// basePath is the path of the first server URL ("/api/v1" of "https://api.apollo.io/api/v1").
func basePath(doc map[string]any) string {
	servers, _ := doc["servers"].([]any)
	if len(servers) == 0 {
		return ""
	}
	first, _ := servers[0].(map[string]any)
	raw, _ := first["url"].(string)
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// isVerb reports whether a path-item key is an HTTP method.
func isVerb(k string) bool {
	switch strings.ToLower(k) {
	case "get", "post", "put", "patch", "delete", "head", "options":
		return true
	}
	return false
}

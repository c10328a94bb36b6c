package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"haloleads/internal/lead"
)

// SidecarName is the file in a samples directory that names the provider of files whose header
// is not enough to recognise it: one "file.csv = provider" a line, '#' starting a comment.
const SidecarName = ".haloleads-sources"

// forcibleSources are the names --source and the sidecar accept.
var forcibleSources = append(slices.Clone(lead.Providers), lead.CSV)

// parseSource checks a provider name given by a person.
func parseSource(name string) (lead.Source, error) {
	s := lead.Source(strings.ToLower(strings.TrimSpace(name)))
	if !slices.Contains(forcibleSources, s) {
		names := make([]string, len(forcibleSources))
		for i, f := range forcibleSources {
			names[i] = string(f)
		}
		return "", usageError("unknown provider %q: use one of %s", name, strings.Join(names, ", "))
	}
	return s, nil
}

// fileSources reads the --source values: "PROVIDER" forces every file not named otherwise,
// "PROVIDER=PATH" forces one file (and adds it to the import when it is not among files). It
// returns the files (absolute), the provider for all of them, and one entry per file.
func fileSources(values, files []string) ([]string, lead.Source, []lead.Source, error) {
	var all lead.Source
	per := map[string]lead.Source{}
	for _, v := range values {
		name, path, isPer := strings.Cut(v, "=")
		src, err := parseSource(name)
		if err != nil {
			return nil, "", nil, err
		}
		if !isPer {
			if all != "" && all != src {
				return nil, "", nil, usageError("--source %s and --source %s: give one provider for every file, or PROVIDER=FILE for each", all, src)
			}
			all = src
			continue
		}
		abs, err := filepath.Abs(strings.TrimSpace(path))
		if err != nil || strings.TrimSpace(path) == "" {
			return nil, "", nil, usageError("--source %s: name the file after '=' (apollo=people.csv)", v)
		}
		per[abs] = src
		if !slices.Contains(files, abs) {
			files = append(files, abs)
		}
	}
	var forced []lead.Source
	if len(per) > 0 {
		forced = make([]lead.Source, len(files))
		for i, f := range files {
			forced[i] = per[f]
		}
	}
	return files, all, forced, nil
}

// readSidecar reads a samples directory's sidecar (SidecarName): which provider each named file
// comes from. A directory without one gives an empty map.
func readSidecar(dir string) (map[string]lead.Source, error) {
	f, err := os.Open(filepath.Join(dir, SidecarName))
	if errors.Is(err, os.ErrNotExist) {
		return map[string]lead.Source{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", SidecarName, err)
	}
	defer f.Close()
	out := map[string]lead.Source{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		if strings.TrimSpace(text) == "" {
			continue
		}
		name, provider, ok := strings.Cut(text, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("%s line %d: want \"file.csv = provider\"", SidecarName, line)
		}
		src, err := parseSource(provider)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", SidecarName, line, err)
		}
		out[filepath.Join(dir, filepath.Base(strings.TrimSpace(name)))] = src
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", SidecarName, err)
	}
	return out, nil
}

// sidecarSources is one entry per file from the sidecar of dir ("" where it names none), or nil
// when it names none of them.
func sidecarSources(dir string, files []string) ([]lead.Source, error) {
	side, err := readSidecar(dir)
	if err != nil || len(side) == 0 {
		return nil, err
	}
	forced := make([]lead.Source, len(files))
	for i, f := range files {
		forced[i] = side[f]
	}
	return forced, nil
}

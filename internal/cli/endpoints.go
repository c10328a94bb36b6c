package cli

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"haloleads/internal/config"
)

// endpointsFile is where `demo` writes its addresses, in its data directory, so that the other
// commands pointed at that directory (HALOLEADS_DATA) reach it without more settings.
const endpointsFile = "endpoints.json"

// endpoints are a running demo's addresses.
type endpoints struct {
	Temporal   string `json:"temporal"`
	Namespace  string `json:"namespace"`
	TemporalUI string `json:"temporal_ui"`
	Sandbox    string `json:"halopsa_sandbox"`
	PID        int    `json:"pid"`
}

// writeEndpoints records e in dir and returns a function that removes the file.
func writeEndpoints(dir string, e endpoints) (func(), error) {
	path := filepath.Join(dir, endpointsFile)
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("writing %s: %w", path, err)
	}
	return func() { _ = os.Remove(path) }, nil
}

// withDemoEndpoints fills the Temporal address, namespace and Web UI of cfg from a running demo's
// endpoints file in the data directory, for each of them the environment leaves unset.
func withDemoEndpoints(cfg config.Config, getenv func(string) string) config.Config {
	b, err := os.ReadFile(filepath.Join(cfg.DataDir, endpointsFile))
	if err != nil {
		return cfg
	}
	var e endpoints
	if json.Unmarshal(b, &e) != nil || e.Temporal == "" {
		return cfg
	}
	if getenv("TEMPORAL_ADDRESS") == "" {
		cfg.Temporal.Address = e.Temporal
		if getenv("TEMPORAL_NAMESPACE") == "" && e.Namespace != "" {
			cfg.Temporal.Namespace = e.Namespace
		}
	}
	if getenv("TEMPORAL_UI_URL") == "" {
		cfg.Temporal.UIURL = e.TemporalUI
	}
	return cfg
}

// sandboxHome answers the sandbox's "/" with a page saying what it is and how to log in, and
// passes every other request to the sandbox.
func sandboxHome(sandbox http.Handler, clientID, clientSecret string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			sandbox.ServeHTTP(w, r)
			return
		}
		base := "http://" + r.Host
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = sandboxPage.Execute(w, map[string]string{"Base": base, "ID": clientID, "Secret": clientSecret})
	})
}

var sandboxPage = template.Must(template.New("home").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>HaloPSA sandbox (haloleads)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:46rem;color:#222}code,pre{background:#f4f4f4;padding:0.1rem 0.3rem}</style>
</head><body>
<h1>HaloPSA sandbox</h1>
<p>This is haloleads' emulator of HaloPSA's REST API, for the demo and tests. It has no web interface:
talk to it as to a HaloPSA tenant, with an API application's client credentials.</p>
<ul>
<li>API: <code>{{.Base}}/api</code> (e.g. <code>GET {{.Base}}/api/Tickets</code>)</li>
<li>Token: <code>POST {{.Base}}/auth/token</code> with <code>grant_type=client_credentials</code>,
<code>client_id={{.ID}}</code>, <code>client_secret={{.Secret}}</code></li>
</ul>
<p>Point haloleads at it with:</p>
<pre>HALO_URL={{.Base}} HALO_CLIENT_ID={{.ID}} HALO_CLIENT_SECRET={{.Secret}}</pre>
</body></html>
`))

// movedPorts describes the ports that were taken and replaced by free ones.
func movedPorts(wanted map[string]int, got map[string]string) []string {
	var out []string
	for _, name := range []string{"Temporal", "Temporal Web UI", "HaloPSA sandbox"} {
		want, addr := wanted[name], got[name]
		if want == 0 || addr == "" || strings.HasSuffix(addr, fmt.Sprintf(":%d", want)) {
			continue
		}
		out = append(out, fmt.Sprintf("port %d is taken: %s listens on %s instead", want, name, addr))
	}
	return out
}

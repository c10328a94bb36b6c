package deploy

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"
	"gopkg.in/yaml.v3"

	"haloleads/internal/visibility"
)

// workerEnv is every variable the haloleads-worker service sets: what the worker reads from its
// environment (internal/config) apart from the receiver's, which only haloleads-webhooks sets
// (webhookEnv). Secrets come as *_FILE paths.
var workerEnv = []string{
	"TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE",
	"HALO_URL", "HALO_AUTH_URL", "HALO_TENANT", "HALO_CLIENT_ID", "HALO_CLIENT_SECRET_FILE", "HALO_SCOPES",
	"HALO_RATE_LIMIT", "HALO_RATE_WINDOW",
	"HALOLEADS_DATABASE_URL_FILE", "HALOLEADS_DATA",
	"LEAD_AUTO_CONVERT", "LEAD_FIT_THRESHOLD", "LEAD_ON_VIOLATION",
	"LOG_LEVEL", "METRICS_LISTEN",
}

// webhookEnv is what haloleads-webhooks sets beyond workerEnv.
var webhookEnv = []string{"WEBHOOK_LISTEN", "WEBHOOK_USER", "WEBHOOK_PASSWORD_FILE", "WEBHOOK_PUBLIC_URL"}

// searchAttributes are haloleads' custom search attributes as the namespace job names them
// (Name:Type), from the definitions the workflows use.
func searchAttributes() []string {
	names := map[enumspb.IndexedValueType]string{
		enumspb.INDEXED_VALUE_TYPE_KEYWORD: "Keyword", enumspb.INDEXED_VALUE_TYPE_INT: "Int",
		enumspb.INDEXED_VALUE_TYPE_BOOL: "Bool", enumspb.INDEXED_VALUE_TYPE_TEXT: "Text",
		enumspb.INDEXED_VALUE_TYPE_DOUBLE: "Double", enumspb.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
	}
	var out []string
	for name, typ := range visibility.Definitions() {
		out = append(out, name+":"+names[typ])
	}
	sort.Strings(out)
	return out
}

// composeFile is the part of the Compose specification docker-compose.yml may use; decoding
// rejects any other key, which catches misspellings such as "depend_on".
type composeFile struct {
	Name     string                   `yaml:"name"`
	Services map[string]service       `yaml:"services"`
	Volumes  map[string]any           `yaml:"volumes"`
	Secrets  map[string]composeSecret `yaml:"secrets"`
}

type service struct {
	Image       string                `yaml:"image"`
	Build       *build                `yaml:"build"`
	Restart     string                `yaml:"restart"`
	DependsOn   map[string]dependency `yaml:"depends_on"`
	Environment map[string]string     `yaml:"environment"`
	Secrets     []string              `yaml:"secrets"`
	Volumes     []string              `yaml:"volumes"`
	Ports       []string              `yaml:"ports"`
	Healthcheck *healthcheck          `yaml:"healthcheck"`
	Entrypoint  []string              `yaml:"entrypoint"`
	Command     []string              `yaml:"command"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

type dependency struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test        []string `yaml:"test"`
	Interval    string   `yaml:"interval"`
	Timeout     string   `yaml:"timeout"`
	Retries     int      `yaml:"retries"`
	StartPeriod string   `yaml:"start_period"`
}

type composeSecret struct {
	File string `yaml:"file"`
}

// script is everything a service runs, joined: entrypoint and command.
func (s service) script() string {
	return strings.Join(append(slices.Clone(s.Entrypoint), s.Command...), "\n")
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}

// loadCompose reads and strictly decodes docker-compose.yml.
func loadCompose(t *testing.T, root string) (*composeFile, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatalf("reading docker-compose.yml: %v", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var c composeFile
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("decoding docker-compose.yml: %v", err)
	}
	return &c, raw
}

func TestCompose(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	c, raw := loadCompose(t, root)
	checks := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"expected services", func(t *testing.T) { checkServices(t, c) }},
		{"depends_on targets exist and conditions hold", func(t *testing.T) { checkDependencies(t, c) }},
		{"images pinned", func(t *testing.T) { checkImages(t, c) }},
		{"temporal address", func(t *testing.T) { checkTemporalAddress(t, c) }},
		{"temporal server settings", func(t *testing.T) { checkServer(t, c) }},
		{"schema job", func(t *testing.T) { checkSchemaJob(t, c) }},
		{"namespace job", func(t *testing.T) { checkNamespaceJob(t, c) }},
		{"worker and receiver", func(t *testing.T) { checkWorkerEnv(t, c) }},
		{"versions of the embedded server", func(t *testing.T) { checkEmbeddedVersions(t, c, root) }},
		{"published ports", func(t *testing.T) { checkPorts(t, c) }},
		{"volumes declared and used", func(t *testing.T) { checkVolumes(t, c) }},
		{"secrets declared, used and present", func(t *testing.T) { checkSecrets(t, c, root) }},
		{"no secret in plain environment", func(t *testing.T) { checkNoPlainSecrets(t, c) }},
		{"interpolation", func(t *testing.T) { checkInterpolation(t, raw) }},
	}
	for _, tc := range checks {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.check(t)
		})
	}
}

func checkServices(t *testing.T, c *composeFile) {
	for _, name := range []string{"postgresql", "temporal-admin-tools", "temporal", "temporal-create-namespace", "temporal-ui", "haloleads-worker", "haloleads-webhooks"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("service %s is missing", name)
		}
	}
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s has neither image nor build", name)
		}
	}
}

func checkDependencies(t *testing.T, c *composeFile) {
	for name, s := range c.Services {
		for dep, d := range s.DependsOn {
			target, ok := c.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on unknown service %s", name, dep)
			case d.Condition == "service_healthy" && target.Healthcheck == nil:
				t.Errorf("%s waits for %s to be healthy, but %s has no healthcheck", name, dep, dep)
			case d.Condition == "service_completed_successfully" && target.Restart != "no":
				t.Errorf("%s waits for %s to complete, but %s restarts (%q); one-shot jobs need restart: \"no\"", name, dep, dep, target.Restart)
			case !slices.Contains([]string{"service_started", "service_healthy", "service_completed_successfully"}, d.Condition):
				t.Errorf("%s depends on %s with unknown condition %q", name, dep, d.Condition)
			}
		}
	}
	if cycle := dependencyCycle(c); cycle != "" {
		t.Errorf("depends_on cycle through %s", cycle)
	}
}

// dependencyCycle returns a service on a depends_on cycle, or "".
func dependencyCycle(c *composeFile) string {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) string
	visit = func(name string) string {
		switch state[name] {
		case 1:
			return name
		case 2:
			return ""
		}
		state[name] = 1
		for dep := range c.Services[name].DependsOn {
			if found := visit(dep); found != "" {
				return found
			}
		}
		state[name] = 2
		return ""
	}
	for name := range c.Services {
		if found := visit(name); found != "" {
			return found
		}
	}
	return ""
}

func checkImages(t *testing.T, c *composeFile) {
	versions := map[string]string{}
	for name, s := range c.Services {
		if s.Build != nil {
			continue // built here; its base images are checked with the Dockerfile
		}
		repo, tag := splitImage(s.Image)
		if err := pinned(s.Image); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
		if repo == "temporalio/auto-setup" {
			t.Errorf("service %s uses the deprecated temporalio/auto-setup; use temporalio/server with admin-tools jobs", name)
		}
		versions[repo] = tag
	}
	server, tools := versions["temporalio/server"], versions["temporalio/admin-tools"]
	if server == "" || !strings.HasPrefix(tools, server) {
		t.Errorf("temporalio/admin-tools:%s does not match temporalio/server:%s", tools, server)
	}
	if v := strings.Split(server, "."); len(v) < 2 || v[0] != "1" || atoi(v[1]) < 29 {
		t.Errorf("temporalio/server:%s is older than 1.29", server)
	}
}

// splitImage splits "repo:tag" (a registry port is not a tag).
func splitImage(image string) (repo, tag string) {
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, ""
	}
	return image[:i], image[i+1:]
}

// pinned reports an image without a tag or digest, or tagged latest.
func pinned(image string) error {
	if strings.Contains(image, "@sha256:") {
		return nil
	}
	_, tag := splitImage(image)
	if tag == "" || tag == "latest" {
		return fmt.Errorf("image %q is not pinned to a version", image)
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// temporalFrontendPort is the port of Temporal's frontend gRPC service.
const temporalFrontendPort = "7233"

func checkTemporalAddress(t *testing.T, c *composeFile) {
	for _, name := range []string{"temporal-ui", "haloleads-worker", "haloleads-webhooks", "temporal-create-namespace"} {
		addr := c.Services[name].Environment["TEMPORAL_ADDRESS"]
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Errorf("%s: TEMPORAL_ADDRESS %q is not host:port", name, addr)
			continue
		}
		target, ok := c.Services[host]
		if !ok || !strings.HasPrefix(target.Image, "temporalio/server:") || port != temporalFrontendPort {
			t.Errorf("%s: TEMPORAL_ADDRESS %q does not name the temporalio/server service's frontend port %s", name, addr, temporalFrontendPort)
			continue
		}
		if !strings.Contains(strings.Join(target.Healthcheck.Test, " "), port) {
			t.Errorf("the %s healthcheck does not probe port %s", host, port)
		}
		if _, ok := c.Services[name].DependsOn[host]; !ok {
			t.Errorf("%s talks to %s but does not depend on it", name, host)
		}
	}
}

func checkServer(t *testing.T, c *composeFile) {
	s := c.Services["temporal"]
	env := s.Environment
	for k, want := range map[string]string{"DB": "postgres12", "DB_PORT": "5432", "POSTGRES_USER": "temporal", "BIND_ON_IP": "0.0.0.0"} {
		if env[k] != want {
			t.Errorf("temporal: %s = %q, want %q", k, env[k], want)
		}
	}
	if _, ok := c.Services[env["POSTGRES_SEEDS"]]; !ok {
		t.Errorf("temporal: POSTGRES_SEEDS %q is not a service", env["POSTGRES_SEEDS"])
	}
	if script := s.script(); !strings.Contains(script, "POSTGRES_PWD") || !strings.Contains(script, "/run/secrets/postgres_password") {
		t.Errorf("temporal: POSTGRES_PWD is not loaded from the postgres_password secret: %q", script)
	}
	if d := s.DependsOn["temporal-admin-tools"]; d.Condition != "service_completed_successfully" {
		t.Errorf("temporal must start after the schema job completes, not on %q", d.Condition)
	}
	if pg := c.Services["postgresql"]; pg.Healthcheck == nil || !strings.Contains(strings.Join(pg.Healthcheck.Test, " "), "pg_isready") {
		t.Errorf("postgresql: the healthcheck must run pg_isready")
	}
}

func checkSchemaJob(t *testing.T, c *composeFile) {
	s := c.Services["temporal-admin-tools"]
	script := s.script()
	for _, want := range []string{"temporal-sql-tool", "--plugin postgres12", " create", "setup-schema -v 0.0", "update-schema",
		"temporal:temporal", "temporal_visibility:visibility", "/etc/temporal/schema/postgresql/v12"} {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-admin-tools: script lacks %q", want)
		}
	}
	if !strings.HasPrefix(s.Image, "temporalio/admin-tools:") || s.DependsOn["postgresql"].Condition != "service_healthy" {
		t.Errorf("temporal-admin-tools: must run temporalio/admin-tools after postgresql is healthy")
	}
}

func checkNamespaceJob(t *testing.T, c *composeFile) {
	s := c.Services["temporal-create-namespace"]
	script := s.script()
	for _, want := range append([]string{"operator namespace create", "operator search-attribute create"}, searchAttributes()...) {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-create-namespace: script lacks %q", want)
		}
	}
	if s.Environment["TEMPORAL_NAMESPACE"] != c.Services["haloleads-worker"].Environment["TEMPORAL_NAMESPACE"] {
		t.Errorf("the namespace job creates %q but the worker polls %q",
			s.Environment["TEMPORAL_NAMESPACE"], c.Services["haloleads-worker"].Environment["TEMPORAL_NAMESPACE"])
	}
	if c.Services["haloleads-worker"].DependsOn["temporal-create-namespace"].Condition != "service_completed_successfully" {
		t.Errorf("haloleads-worker must start after the namespace job completes")
	}
}

func checkWorkerEnv(t *testing.T, c *composeFile) {
	worker, hooks := c.Services["haloleads-worker"], c.Services["haloleads-webhooks"]
	checkEnv(t, "haloleads-worker", worker.Environment, workerEnv)
	checkEnv(t, "haloleads-webhooks", hooks.Environment, append(slices.Clone(workerEnv), webhookEnv...))
	for name, s := range map[string]service{"haloleads-worker": worker, "haloleads-webhooks": hooks} {
		if s.Environment["HALOLEADS_DATA"] != "/data" || !slices.Contains(s.Volumes, "haloleads-data:/data") {
			t.Errorf("%s: HALOLEADS_DATA must be /data on the haloleads-data volume", name)
		}
		if s.Environment["HALOLEADS_DATABASE_URL_FILE"] != "/run/secrets/haloleads_database_url" {
			t.Errorf("%s: the store must be the shared PostgreSQL database (HALOLEADS_DATABASE_URL_FILE)", name)
		}
		if s.Healthcheck == nil || !slices.Contains(s.Healthcheck.Test, "healthcheck") {
			t.Errorf("%s: needs the worker's healthcheck (haloleads-worker healthcheck)", name)
		}
		if name == "haloleads-webhooks" && (s.Image != worker.Image || !slices.Contains(s.Command, "--webhooks-only")) {
			t.Errorf("haloleads-webhooks must run the worker's image (%s) with --webhooks-only, not %s %v", worker.Image, s.Image, s.Command)
		}
	}
	if len(worker.Ports) > 0 {
		t.Errorf("haloleads-worker publishes %v: a published port stops --scale haloleads-worker=2", worker.Ports)
	}
	if worker.DependsOn["temporal-admin-tools"].Condition != "service_completed_successfully" {
		t.Errorf("haloleads-worker must start after the job that creates its database")
	}
	if !strings.Contains(c.Services["temporal-admin-tools"].script(), "--db haloleads create") {
		t.Errorf("temporal-admin-tools does not create the haloleads database")
	}
	listen := hooks.Environment["WEBHOOK_LISTEN"]
	if _, port, _ := net.SplitHostPort(listen); !slices.ContainsFunc(hooks.Ports, func(p string) bool {
		return strings.HasSuffix(p, ":"+port)
	}) {
		t.Errorf("haloleads-webhooks: WEBHOOK_LISTEN %q is not published", listen)
	}
}

// checkEnv checks a service sets exactly the variables want.
func checkEnv(t *testing.T, name string, env map[string]string, want []string) {
	for _, k := range want {
		if _, ok := env[k]; !ok {
			t.Errorf("%s does not set %s", name, k)
		}
	}
	for k := range env {
		if !slices.Contains(want, k) {
			t.Errorf("%s sets %s, which it does not read", name, k)
		}
	}
}

// checkEmbeddedVersions: the compose file runs the Temporal server and Web UI that the embedded
// server (worker --dev, the tests) runs, from go.mod.
func checkEmbeddedVersions(t *testing.T, c *composeFile, root string) {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for module, repo := range map[string]string{"go.temporal.io/server": "temporalio/server", "github.com/temporalio/ui-server/v2": "temporalio/ui"} {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+v(\S+)`).FindSubmatch(mod)
		if m == nil {
			t.Errorf("go.mod does not require %s", module)
			continue
		}
		found := false
		for _, s := range c.Services {
			if r, tag := splitImage(s.Image); r == repo {
				found = true
				if tag != string(m[1]) {
					t.Errorf("%s:%s, but the embedded server runs %s v%s", repo, tag, module, m[1])
				}
			}
		}
		if !found {
			t.Errorf("no service runs %s", repo)
		}
	}
}

// port is one published port.
type port struct{ ip, host, container string }

// parsePort reads the short syntax [ip:]host:container.
func parsePort(s string) (port, error) {
	parts := strings.Split(s, ":")
	switch len(parts) {
	case 2:
		return port{host: parts[0], container: parts[1]}, nil
	case 3:
		return port{ip: parts[0], host: parts[1], container: parts[2]}, nil
	}
	return port{}, fmt.Errorf("port %q is not [ip:]host:container", s)
}

func checkPorts(t *testing.T, c *composeFile) {
	var seen []port
	owner := map[port]string{}
	for name, s := range c.Services {
		for _, spec := range s.Ports {
			p, err := parsePort(spec)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			for _, q := range seen {
				if q.host == p.host && (q.ip == p.ip || q.ip == "" || p.ip == "") {
					t.Errorf("%s and %s both publish host port %s", owner[q], name, p.host)
				}
			}
			seen = append(seen, p)
			owner[p] = name
		}
	}
	if len(seen) == 0 {
		t.Error("no published ports")
	}
}

func checkVolumes(t *testing.T, c *composeFile) {
	used := map[string]bool{}
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			src, _, ok := strings.Cut(v, ":")
			if !ok || strings.HasPrefix(src, ".") || strings.HasPrefix(src, "/") {
				continue // a bind mount
			}
			if _, declared := c.Volumes[src]; !declared {
				t.Errorf("%s mounts volume %s, which is not declared", name, src)
			}
			used[src] = true
		}
	}
	for v := range c.Volumes {
		if !used[v] {
			t.Errorf("volume %s is declared but unused", v)
		}
	}
}

func checkSecrets(t *testing.T, c *composeFile, root string) {
	used := map[string]bool{}
	for name, s := range c.Services {
		for _, sec := range s.Secrets {
			if _, ok := c.Secrets[sec]; !ok {
				t.Errorf("%s uses secret %s, which is not declared", name, sec)
			}
			used[sec] = true
		}
		for k, v := range s.Environment {
			sec, ok := strings.CutPrefix(v, "/run/secrets/")
			if strings.HasSuffix(k, "_FILE") && (!ok || !slices.Contains(s.Secrets, sec)) {
				t.Errorf("%s: %s=%q does not point at one of its secrets", name, k, v)
			}
		}
	}
	for sec, decl := range c.Secrets {
		if !used[sec] {
			t.Errorf("secret %s is declared but unused", sec)
		}
		path := filepath.Join(root, decl.File)
		if _, err := os.Stat(path); err != nil {
			if _, err := os.Stat(path + ".example"); err != nil {
				t.Errorf("secret %s: neither %s nor %s.example exists", sec, decl.File, decl.File)
			}
		}
	}
}

// secretName matches environment variables that hold credentials.
var secretName = regexp.MustCompile(`(PASSWORD|PWD|SECRET|_KEY|TOKEN)$`)

func checkNoPlainSecrets(t *testing.T, c *composeFile) {
	for name, s := range c.Services {
		for k := range s.Environment {
			if secretName.MatchString(k) {
				t.Errorf("%s: %s passes a secret in the environment; use a docker secret and %s_FILE", name, k, k)
			}
		}
	}
}

// interpolation matches a Compose variable reference.
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}`)

func checkInterpolation(t *testing.T, raw []byte) {
	text := strings.ReplaceAll(string(raw), "$$", "")
	for _, m := range interpolation.FindAllStringSubmatch(text, -1) {
		name, op, arg := m[1], m[2], m[3]
		switch {
		case op == "":
			t.Errorf("${%s} has no default or required message; use ${%s:-default} or ${%s:?message}", name, name, name)
		case strings.HasSuffix(op, "?") && len(strings.Fields(arg)) < 3:
			t.Errorf("${%s:?...} needs a message that says what to set", name)
		case secretName.MatchString(name):
			t.Errorf("${%s} interpolates a secret; use a docker secret", name)
		}
	}
	if rest := interpolation.ReplaceAllString(text, ""); strings.Contains(rest, "$") {
		i := strings.Index(rest, "$")
		t.Errorf("unescaped $ near %q: Compose would interpolate it; write $$ for the shell", rest[max(0, i-20):min(len(rest), i+20)])
	}
}

func TestDockerfile(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	c, _ := loadCompose(t, root)
	b := c.Services["haloleads-worker"].Build
	if b == nil {
		t.Fatal("haloleads-worker is not built from the repository")
	}
	raw, err := os.ReadFile(filepath.Join(root, b.Context, b.Dockerfile))
	if err != nil {
		t.Fatalf("reading the worker's Dockerfile: %v", err)
	}
	stages := dockerStages(string(raw))
	tests := []struct {
		name string
		ok   bool
	}{
		{"multi-stage", len(stages) >= 2},
		{"builds with golang:1.26", len(stages) > 0 && strings.HasPrefix(stages[0].from, "golang:1.26")},
		{"builds ./worker statically", regexp.MustCompile(`CGO_ENABLED=0\s+go build\b[^\n]*\s\./worker\b`).MatchString(string(raw))},
		{"builds ./starter (the haloleads CLI) into the same image", regexp.MustCompile(`CGO_ENABLED=0\s+go build\b[^\n]*-o /out/haloleads \./starter\b`).MatchString(string(raw))},
		{"has a healthcheck", strings.Contains(string(raw), `HEALTHCHECK`) && strings.Contains(string(raw), `"healthcheck"`)},
		{"runtime is not a Go toolchain image", len(stages) > 1 && !strings.HasPrefix(stages[len(stages)-1].from, "golang")},
		{"runtime runs as non-root", len(stages) > 1 && nonRoot(stages[len(stages)-1].user)},
		{"base images pinned", !slices.ContainsFunc(stages, func(s stage) bool { return pinned(s.from) != nil })},
		{"exposes the webhook port", strings.Contains(string(raw), "EXPOSE 8089")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !tc.ok {
				t.Errorf("Dockerfile fails %q; stages %+v", tc.name, stages)
			}
		})
	}
}

// stage is one FROM section of a Dockerfile.
type stage struct{ from, user string }

// dockerStages reads the FROM image and last USER of every stage.
func dockerStages(dockerfile string) []stage {
	var out []stage
	for line := range strings.Lines(dockerfile) {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && strings.EqualFold(f[0], "FROM"):
			out = append(out, stage{from: f[1]})
		case len(f) >= 2 && strings.EqualFold(f[0], "USER") && len(out) > 0:
			out[len(out)-1].user = f[1]
		}
	}
	return out
}

// nonRoot reports whether a USER value names a non-root user.
func nonRoot(user string) bool {
	name, _, _ := strings.Cut(user, ":")
	return name != "" && name != "root" && name != "0"
}

func TestDockerignoreKeepsSecretsOut(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatalf("reading .dockerignore: %v", err)
	}
	lines := strings.Fields(string(raw))
	for _, want := range []string{"deploy/secrets", ".git"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}

func TestParsePort(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want port
		err  bool
	}{
		{"8089:8089", port{host: "8089", container: "8089"}, false},
		{"127.0.0.1:8080:8080", port{ip: "127.0.0.1", host: "8080", container: "8080"}, false},
		{"7233", port{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := parsePort(tc.in)
			if got != tc.want || (err != nil) != tc.err {
				t.Errorf("parsePort(%q) = %+v, %v", tc.in, got, err)
			}
		})
	}
}

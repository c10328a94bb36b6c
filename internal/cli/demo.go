package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"haloleads/internal/codec"
	"haloleads/internal/devserver"
	"haloleads/internal/halopsa"
	"haloleads/internal/halosandbox"
	"haloleads/internal/leadflow"
	"haloleads/internal/metrics"
	"haloleads/internal/pipeline"
	"haloleads/internal/store"
	"haloleads/internal/tenant"
	"haloleads/internal/visibility"
)

// demoOutput is what `demo --json` prints: the import summary and where to look.
type demoOutput struct {
	leadflow.Summary
	SetupRequests int64  `json:"setup_requests"`
	TemporalUI    string `json:"temporal_ui"`
	Temporal      string `json:"temporal"`
	Sandbox       string `json:"halopsa_sandbox"`
	DataDir       string `json:"data_dir"`
}

func newDemoCmd(io IO) *cobra.Command {
	var o demoFlags
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "run haloleads end to end on the embedded Temporal server and HaloPSA sandbox",
		Long: `Start Temporal (with its Web UI), the HaloPSA sandbox, the provider sandbox and the workers in
this process, set the sandbox tenant up and import every provider export found in the samples
directory; then serve until Ctrl-C (or exit with --once). On the same --data a second run
writes nothing.`,
		Example: `  starter demo
  starter demo --once --json --data ./demo
  starter demo --samples ./my-exports --ui-port 8300`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), io, o) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.once, "once", false, "exit after the summary instead of serving")
	f.BoolVar(&o.asJSON, "json", false, "print the summary as JSON")
	f.StringVar(&o.data, "data", "", "keep Temporal's database, the sandbox and haloleads' store in `DIR` (default: a fresh temporary directory)")
	f.StringVar(&o.samples, "samples", filepath.Join("testdata", "samples"), "import every file found in `DIR` (provider exports and contact lists)")
	f.BoolVar(&o.skipUnknown, "skip-unknown", false, "report a file whose header nothing fits as skipped; without it such a file makes --once exit with status 3")
	f.IntVar(&o.uiPort, "ui-port", 8233, "Temporal Web UI port (a free one if taken)")
	f.IntVar(&o.port, "port", 7233, "Temporal frontend port (a free one if taken)")
	f.IntVar(&o.sandboxPort, "sandbox-port", 8090, "HaloPSA sandbox port (a free one if taken)")
	return cmd
}

// demoFlags are `demo`'s flags.
type demoFlags struct {
	once, asJSON, skipUnknown bool
	data, samples             string
	uiPort, port, sandboxPort int
}

func runDemo(ctx context.Context, io IO, o demoFlags) error {
	files, err := sampleFiles(o.samples)
	if err != nil {
		return err
	}
	dir, cleanup, err := dataDir(o.data)
	if err != nil {
		return err
	}
	defer cleanup()
	logger := newLogger(zap.WarnLevel, io.Stderr)
	emb, err := startEmbedded(ctx, embeddedOptions{
		Dir: dir, Port: freeOr(o.port), UIPort: freeOr(o.uiPort), SandboxPort: freeOr(o.sandboxPort), Logger: logger,
	})
	if err != nil {
		return err
	}
	defer emb.Close()
	forced, err := sidecarSources(o.samples, files)
	if err != nil {
		return err
	}
	in := leadflow.ImportInput{RunID: newRunID(time.Now()), Files: files, FileSources: forced, SkipUnknown: o.skipUnknown}
	sum, err := pipeline.RunImport(ctx, emb.Temporal, in, true)
	if err != nil {
		return err
	}
	out := demoOutput{Summary: sum, SetupRequests: emb.SetupRequests, TemporalUI: emb.Server.UIURL(),
		Temporal: emb.Server.HostPort(), Sandbox: emb.SandboxURL, DataDir: dir}
	for _, m := range movedPorts(map[string]int{"Temporal": o.port, "Temporal Web UI": o.uiPort, "HaloPSA sandbox": o.sandboxPort},
		map[string]string{"Temporal": out.Temporal, "Temporal Web UI": out.TemporalUI, "HaloPSA sandbox": out.Sandbox}) {
		fmt.Fprintln(io.Stderr, m)
	}
	removeEndpoints, err := writeEndpoints(dir, endpoints{Temporal: out.Temporal, Namespace: emb.Server.Namespace(),
		TemporalUI: out.TemporalUI, Sandbox: out.Sandbox, PID: os.Getpid()})
	if err != nil {
		return err
	}
	defer removeEndpoints()
	if o.asJSON {
		err = writeJSON(io.Stdout, out)
	} else {
		printDemo(io.Stdout, out)
	}
	if err != nil {
		return err
	}
	if o.once {
		return unrecognisedOutcome(sum)
	}
	waitForInterrupt(ctx, io.Stderr)
	return nil
}

// unrecognisedOutcome ends the demo with ExitIncomplete when a file was not recognised and
// not skipped (--skip-unknown): nobody's rows are left out silently.
func unrecognisedOutcome(sum leadflow.Summary) error {
	n := 0
	for _, f := range sum.Sources {
		if f.Status == leadflow.FileUnrecognised && !f.Skipped {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &ExitError{Code: ExitIncomplete, Err: fmt.Errorf("%d files were not recognised and not imported", n),
		Hint: "the summary names each one; export it again from its provider, or pass --skip-unknown to leave it out"}
}

// sampleFiles lists the regular files of dir (hidden files aside): each is offered to the
// import, which recognises provider exports and contact lists by their header and reports the
// files it cannot use.
func sampleFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading samples (run from the repository root, or give --samples DIR): %w", err)
	}
	var files []string
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files = append(files, filepath.Join(dir, e.Name()))
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no file found in %s", dir)
	}
	return files, nil
}

func dataDir(dir string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, fmt.Errorf("creating data directory: %w", err)
		}
		abs, _ := filepath.Abs(dir)
		return abs, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "haloleads-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("creating a temporary data directory: %w", err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}

// freeOr returns port if it can be listened on, else 0 (pick a free one).
func freeOr(port int) int {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return 0
	}
	l.Close()
	return port
}

// embeddedOptions configures the demo's in-process world.
type embeddedOptions struct {
	Dir                       string
	Port, UIPort, SandboxPort int
	Logger                    *zap.Logger
	Sandbox                   halosandbox.Options
	// Metrics, when set, receives the SDK's metrics and counts the HaloPSA requests.
	Metrics *metrics.Metrics
}

// embedded is haloleads with everything in one process: Temporal, the HaloPSA sandbox over
// HTTP, our store, and the workers.
type embedded struct {
	Server        *devserver.Server
	Temporal      client.Client
	Sandbox       *halosandbox.Server
	SandboxURL    string
	Halo          *halopsa.Client
	Store         *store.Store
	Workers       *pipeline.Workers
	SetupRequests int64
	// Keys encrypt every payload (the data directory's codec.key).
	Keys    *codec.Keyring
	closers []func()
}

func startEmbedded(ctx context.Context, o embeddedOptions) (*embedded, error) {
	e := &embedded{}
	if err := e.start(ctx, o); err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *embedded) start(ctx context.Context, o embeddedOptions) error {
	uiPort := o.UIPort
	if uiPort == 0 {
		uiPort = -1
	}
	serverLog, closeLog, err := fileLogger(filepath.Join(o.Dir, "temporal.log"))
	if err != nil {
		return err
	}
	e.closers = append(e.closers, closeLog)
	srv, err := devserver.Start(ctx, devserver.Options{
		DatabaseFile: filepath.Join(o.Dir, "temporal.db"), FrontendPort: o.Port, UIPort: uiPort,
		SearchAttributes: visibility.Definitions(), Logger: serverLog,
	})
	if err != nil {
		return err
	}
	e.Server = srv
	e.closers = append(e.closers, srv.Stop)
	// The demo's payload key lives in its data directory (created 0600 on first run), where
	// every command given HALOLEADS_DATA=DIR finds it.
	if e.Keys, err = codec.LoadOrCreate("", o.Dir); err != nil {
		return err
	}
	copts := e.Keys.Apply(client.Options{HostPort: srv.HostPort(), Namespace: srv.Namespace(), Logger: quiet{}})
	var onRequest func(halopsa.RequestInfo)
	if o.Metrics != nil {
		copts.MetricsHandler, onRequest = o.Metrics.SDK(), o.Metrics.OnHaloRequest
	}
	if e.Temporal, err = client.Dial(copts); err != nil {
		return fmt.Errorf("connecting to the embedded Temporal: %w", err)
	}
	e.closers = append(e.closers, e.Temporal.Close)
	if err := e.startSandbox(o); err != nil {
		return err
	}
	if e.Store, err = store.Open(filepath.Join(o.Dir, "haloleads.db")); err != nil {
		return err
	}
	e.closers = append(e.closers, func() { e.Store.Close() })
	if e.Halo, err = halopsa.New(halopsa.Config{
		BaseURL: e.SandboxURL, ClientID: halosandbox.DefaultClientID, ClientSecret: halosandbox.DefaultClientSecret,
		Logger: o.Logger, OnRequest: onRequest,
	}); err != nil {
		return err
	}
	res, err := tenant.Apply(ctx, e.Halo, tenant.DefaultSpec())
	if err != nil {
		return fmt.Errorf("setting the sandbox tenant up: %w", err)
	}
	e.SetupRequests = e.Halo.Requests()
	provs, err := e.embeddedProviders(o.Logger)
	if err != nil {
		return err
	}
	if e.Workers, err = pipeline.StartWorkers(pipeline.Deps{
		Temporal: e.Temporal, Halo: e.Halo, Store: e.Store, Spec: tenant.DefaultSpec(), Logger: o.Logger,
		RateLimit: halopsa.DefaultRateLimit, RateWindow: halopsa.DefaultRateWindow,
		Providers: provs, IDKey: e.Keys.IDKey(),
	}); err != nil {
		return err
	}
	e.Workers.Tenant.Set(res)
	e.closers = append(e.closers, e.Workers.Stop)
	return nil
}

func (e *embedded) startSandbox(o embeddedOptions) error {
	opts := o.Sandbox
	opts.DataDir = filepath.Join(o.Dir, "halopsa")
	opts.Logger = o.Logger
	sb, err := halosandbox.New(opts)
	if err != nil {
		return fmt.Errorf("starting the HaloPSA sandbox: %w", err)
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(o.SandboxPort)))
	if err != nil {
		return fmt.Errorf("listening for the HaloPSA sandbox: %w", err)
	}
	id, secret := opts.ClientID, opts.ClientSecret
	if id == "" {
		id, secret = halosandbox.DefaultClientID, halosandbox.DefaultClientSecret
	}
	hs := &http.Server{Handler: sandboxHome(sb, id, secret), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Logger.Error("sandbox server stopped", zap.Error(err))
		}
	}()
	e.Sandbox, e.SandboxURL = sb, "http://"+l.Addr().String()
	e.closers = append(e.closers, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		if err := sb.Close(); err != nil {
			o.Logger.Error("saving the sandbox", zap.Error(err))
		}
	})
	return nil
}

// Close stops everything, last started first.
func (e *embedded) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
	e.closers = nil
}

// printSummary prints an import's summary: what it did, or for a dry run what it would do, with
// a link to its workflow when the Web UI's address (ui, with the namespace) is known.
func printSummary(w io.Writer, o leadflow.Summary, ui string) {
	verb, created, updated := "Imported", "created", "updated"
	if o.DryRun {
		verb, created, updated = "Dry run, nothing written: would import", "would create", "would update"
	}
	fmt.Fprintf(w, "%s %d rows from %d files into %d leads (%d rows merged into others).\n",
		verb, o.Rows, len(o.Files), o.Leads, o.Merged)
	fmt.Fprintf(w, "  %s %d, %s %d, unchanged %d, Do Not Contact %d, to review %d\n",
		created, o.LeadsCreated, updated, o.LeadsUpdated, o.Unchanged, o.Suppressed, o.Review)
	fmt.Fprintf(w, "  HaloPSA requests: %d (%d writes)\n", o.HaloRequests, o.HaloWrites)
	printSources(w, o.Sources)
	if o.RejectedCount > 0 {
		fmt.Fprintf(w, "  rejected %d rows:\n", o.RejectedCount)
		for _, r := range o.Rejected {
			fmt.Fprintf(w, "    %s:%d: %s\n", r.File, r.Line, r.Reason)
		}
	}
	for _, e := range o.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	if u := workflowURL(ui, leadflow.ImportWorkflowID(o.RunID)); u != "" {
		fmt.Fprintf(w, "  Web UI: %s\n", u)
	}
}

// printDemo prints the demo's summary and where to look.
func printDemo(w io.Writer, o demoOutput) {
	printSummary(w, o.Summary, o.TemporalUI+"/namespaces/default")
	fmt.Fprintf(w, "  plus %d HaloPSA requests for tenant set-up\n", o.SetupRequests)
	fmt.Fprintf(w, "\nTemporal Web UI:  %s\nTemporal:         %s\nHaloPSA sandbox:  %s (client id %s, secret %s)\nData directory:   %s\n",
		o.TemporalUI, o.Temporal, o.Sandbox, halosandbox.DefaultClientID, halosandbox.DefaultClientSecret, o.DataDir)
	fmt.Fprintf(w, "Other commands reach this demo with HALOLEADS_DATA=%s (its addresses are in %s there),\n"+
		"e.g. HALOLEADS_DATA=%s go run ./starter lead list\n", o.DataDir, endpointsFile, o.DataDir)
}

// printSources says how each file was read: provider, encoding, rows, header warnings. A file
// that could not be read is listed among the errors.
func printSources(w io.Writer, files []leadflow.FileReport) {
	for _, f := range files {
		if f.Error != "" {
			continue
		}
		if f.Skipped {
			fmt.Fprintf(w, "  %s: %s, skipped\n", filepath.Base(f.File), f.Status)
			continue
		}
		fmt.Fprintf(w, "  %s: %s, %s export, %s, %d rows (%d rejected)\n", filepath.Base(f.File), cmp.Or(f.Status, leadflow.FileImported),
			f.Provider.DisplayName(), f.Encoding, f.Rows, f.Rejected)
		for _, warn := range f.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", warn)
		}
	}
}

// fileLogger logs to a file: the embedded Temporal server's own logs (warnings and errors,
// noisy at shutdown) stay out of the demo's output.
func fileLogger(path string) (*zap.Logger, func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return newLogger(zap.WarnLevel, f), func() { f.Close() }, nil
}

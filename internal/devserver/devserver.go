// Package devserver runs an embedded Temporal server in the current process: SQLite persistence
// in a file (or in memory) or PostgreSQL, the default namespace with haloleads' search attributes registered,
// and optionally the Temporal Web UI. It is what `starter demo` and `worker --dev` start, and what
// the end-to-end tests run against. It is for development and trials; production uses the
// docker-compose deployment with PostgreSQL.
package devserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	tlog "go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"go.uber.org/zap"
)

const clusterName = "active"

// Options configures the embedded server. The zero value is an in-memory server on free ports
// without the UI.
type Options struct {
	// DatabaseFile keeps Temporal's state in this SQLite file; empty means in memory.
	DatabaseFile string
	// DatabaseURL, when set, keeps Temporal's state in PostgreSQL instead (a postgres:// URL;
	// its database, default "temporal", and that name with "_visibility" are created and
	// migrated when missing). One embedded server per database.
	DatabaseURL string
	// IP to listen on; default 127.0.0.1.
	IP string
	// FrontendPort is the gRPC port; 0 picks a free one.
	FrontendPort int
	// UIPort serves the Temporal Web UI when non-zero; -1 picks a free port. The port is held
	// from the start of Start, so that servers started at once cannot both take it.
	UIPort int
	// UIIP is the address the Web UI listens on; default IP.
	UIIP string
	// UIFallback serves the Web UI on a free port (said in the log) when UIPort is taken;
	// without it Start fails.
	UIFallback bool
	// UIWritable lets the Web UI signal, terminate, reset and start workflows; by default it
	// is read-only (any local process can reach it, and it has no login).
	UIWritable bool
	// Namespace to create; default "default".
	Namespace string
	// SearchAttributes to register on the namespace.
	SearchAttributes map[string]enumspb.IndexedValueType
	// DynamicConfig values (for example task-queue rate limits); optional.
	DynamicConfig map[string]any
	// Logger receives the server's logs at warn level and above; default: discarded.
	Logger *zap.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	server    temporal.Server
	ui        *uiserver.Server
	hostPort  string
	uiURL     string
	namespace string
}

// Start starts the server and returns when its frontend answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	var ui net.Listener
	if opts.UIPort != 0 {
		if ui, err = opts.holdUI(); err != nil {
			return nil, err
		}
		opts.UIPort = ui.Addr().(*net.TCPAddr).Port
	}
	s, err := opts.start(ctx)
	if err != nil {
		if ui != nil {
			ui.Close()
		}
		return nil, err
	}
	if ui != nil {
		s.startUI(opts, ui)
	}
	return s, nil
}

// start starts the Temporal server and waits for its frontend.
func (o Options) start(ctx context.Context) (*Server, error) {
	conf, err := o.serverConfig()
	if err != nil {
		return nil, err
	}
	srv, err := o.newServer(conf)
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("starting temporal server: %w", err)
	}
	s := &Server{server: srv, hostPort: conf.PublicClient.HostPort, namespace: o.Namespace}
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// holdUI listens on the Web UI's address (a free port for UIPort -1, or when the port is
// taken and UIFallback is set), so that no other process takes it while the server starts.
func (o Options) holdUI() (net.Listener, error) {
	port := max(o.UIPort, 0)
	l, err := net.Listen("tcp", net.JoinHostPort(o.UIIP, strconv.Itoa(port)))
	if err == nil {
		return l, nil
	}
	if !o.UIFallback {
		return nil, fmt.Errorf("the Temporal Web UI cannot listen on %s: %w", net.JoinHostPort(o.UIIP, strconv.Itoa(port)), err)
	}
	if l, err = net.Listen("tcp", net.JoinHostPort(o.UIIP, "0")); err != nil {
		return nil, fmt.Errorf("the Temporal Web UI cannot listen on %s: %w", o.UIIP, err)
	}
	o.Logger.Warn("temporal web UI port taken, using a free one", zap.Int("port", port),
		zap.Int("new_port", l.Addr().(*net.TCPAddr).Port))
	return l, nil
}

// HostPort is the frontend's gRPC address.
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace the server was started with.
func (s *Server) Namespace() string { return s.namespace }

// UIURL is the Web UI's address, or "" when the UI is off.
func (s *Server) UIURL() string { return s.uiURL }

// Stop stops the UI and the server.
func (s *Server) Stop() {
	if s.ui != nil {
		s.ui.Stop()
	}
	_ = s.server.Stop()
}

func (o Options) withDefaults() (Options, error) {
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.FrontendPort == 0 {
		p, err := freePort(o.IP)
		if err != nil {
			return o, err
		}
		o.FrontendPort = p
	}
	if o.UIIP == "" {
		o.UIIP = o.IP
	}
	return o, nil
}

func (o Options) serverConfig() (*config.Config, error) {
	persistence, err := o.persistence()
	if err != nil {
		return nil, err
	}
	var conf config.Config
	conf.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: "127.0.0.1"}
	conf.Persistence = persistence
	frontend := net.JoinHostPort(o.IP, strconv.Itoa(o.FrontendPort))
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for _, name := range []string{"frontend", "history", "matching", "worker"} {
		svc, err := o.serviceConfig(name == "frontend")
		if err != nil {
			return nil, err
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = frontend
	return &conf, nil
}

func (o Options) serviceConfig(frontend bool) (config.Service, error) {
	var svc config.Service
	membership, err := membershipPort()
	if err != nil {
		return svc, err
	}
	svc.RPC.MembershipPort = membership
	if frontend {
		svc.RPC.GRPCPort = o.FrontendPort
		svc.RPC.BindOnIP = o.IP
		return svc, nil
	}
	port, err := freePort("127.0.0.1")
	if err != nil {
		return svc, err
	}
	svc.RPC.GRPCPort = port
	svc.RPC.BindOnLocalHost = true
	return svc, nil
}

// persistence is Temporal's persistence: PostgreSQL when DatabaseURL is set, else SQLite.
func (o Options) persistence() (config.Persistence, error) {
	if o.DatabaseURL != "" {
		main, vis, err := pgDatabases(o.DatabaseURL)
		if err != nil {
			return config.Persistence{}, err
		}
		logger := tlog.NewZapLogger(o.Logger.WithOptions(zap.IncreaseLevel(zap.WarnLevel)))
		if err := setupPostgres(main, vis, logger); err != nil {
			return config.Persistence{}, err
		}
		if err := forgetPostgresMembers(main, logger); err != nil {
			return config.Persistence{}, err
		}
		if err := o.createNamespace(main); err != nil {
			return config.Persistence{}, err
		}
		return config.Persistence{
			DefaultStore: "postgres", VisibilityStore: "postgres-visibility", NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{"postgres": {SQL: main}, "postgres-visibility": {SQL: vis}},
		}, nil
	}
	sqlConf, err := o.sqlConfig()
	if err != nil {
		return config.Persistence{}, err
	}
	return config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlConf}},
	}, nil
}

// sqlConfig builds the SQLite store, creating its schema on first use of a file, and registers
// the namespace with its search attributes (a no-op when it exists already).
func (o Options) sqlConfig() (*config.SQL, error) {
	conf := &config.SQL{PluginName: sqliteplugin.PluginName, ConnectAttributes: map[string]string{}}
	if o.DatabaseFile == "" {
		conf.ConnectAttributes["mode"] = "memory"
		conf.ConnectAttributes["cache"] = "shared"
		conf.DatabaseName = fmt.Sprintf("haloleads-%d", time.Now().UnixNano())
	} else {
		conf.ConnectAttributes["mode"] = "rwc"
		// Temporal's SQLite plugin passes every attribute that is not a URI parameter on as
		// a pragma, by its plain name (an underscore-prefixed one is no pragma and is ignored).
		conf.ConnectAttributes["journal_mode"] = "wal"
		conf.ConnectAttributes["synchronous"] = "2"
		// Deleted rows (a forgotten lead's history) are overwritten, not left in free pages.
		conf.ConnectAttributes["secure_delete"] = "on"
		conf.DatabaseName = o.DatabaseFile
		if err := setupSchemaOnce(conf, o.DatabaseFile); err != nil {
			return nil, err
		}
		if err := forgetMembers(o.DatabaseFile); err != nil {
			return nil, err
		}
	}
	if err := o.createNamespace(conf); err != nil {
		return nil, err
	}
	return conf, nil
}

// createNamespace registers the namespace with its search attributes in the store before the
// server starts (a no-op when it exists already). The helper lives in Temporal's SQLite schema
// package but writes through the generic SQL persistence, so it serves PostgreSQL too.
func (o Options) createNamespace(conf *config.SQL) error {
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return fmt.Errorf("configuring namespace %s: %w", o.Namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return fmt.Errorf("creating namespace %s: %w", o.Namespace, err)
	}
	return nil
}

// forgetMembers drops the cluster membership an earlier process left in the file. The embedded
// server is the only member of its cluster, so every row there belongs to a process that is gone
// (a kill -9 leaves its rows with a fresh heartbeat, and a clean stop leaves them too): ringpop
// would try to join those dead addresses before itself, and can give up after MaxJoinDuration.
func forgetMembers(file string) error {
	db, err := sql.Open(sqliteplugin.PluginName, file) // modernc.org/sqlite, registered by the plugin
	if err != nil {
		return fmt.Errorf("opening temporal database %s: %w", file, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("PRAGMA busy_timeout = 10000"); err != nil {
		return fmt.Errorf("opening temporal database %s: %w", file, err)
	}
	if _, err := db.Exec("DELETE FROM cluster_membership"); err != nil {
		return fmt.Errorf("clearing the stale cluster membership in %s: %w", file, err)
	}
	return nil
}

func setupSchemaOnce(conf *config.SQL, file string) error {
	if _, err := os.Stat(file); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking temporal database %s: %w", file, err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return fmt.Errorf("creating directory for temporal database: %w", err)
	}
	// SQLite gives its journal the database file's mode: create the file private first.
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("creating temporal database %s: %w", file, err)
	}
	f.Close()
	if err := sqliteschema.SetupSchema(conf); err != nil {
		return fmt.Errorf("setting up temporal database schema in %s: %w", file, err)
	}
	return nil
}

func (o Options) newServer(conf *config.Config) (temporal.Server, error) {
	logger := tlog.NewZapLogger(o.Logger.WithOptions(zap.IncreaseLevel(zap.WarnLevel)))
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("creating authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("creating claim mapper: %w", err)
	}
	dc := dynamicconfig.StaticClient{
		// Visibility reads its own writes at once: the UI and the tests see new search attributes.
		dynamicconfig.MakeKey("system.forceSearchAttributesCacheRefreshOnRead"): true,
	}
	for k, v := range o.DynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dc),
	)
	if err != nil {
		return nil, fmt.Errorf("creating temporal server: %w", err)
	}
	return srv, nil
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	c, err := client.NewNamespaceClient(client.Options{HostPort: s.hostPort, Logger: quietLogger{}})
	if err != nil {
		return fmt.Errorf("waiting for temporal frontend at %s: %w", s.hostPort, err)
	}
	defer c.Close()
	for {
		if _, err := c.Describe(ctx, s.namespace); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for namespace %s: %w", s.namespace, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// startUI serves the Web UI on the port held by held. The UI server exits the process when it
// cannot bind its port: held is closed only right before it binds, so the port stays ours.
func (s *Server) startUI(o Options, held net.Listener) {
	s.ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
		Host:                o.UIIP,
		Port:                o.UIPort,
		TemporalGRPCAddress: s.hostPort,
		EnableUI:            true,
		DefaultNamespace:    o.Namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableWriteActions: !o.UIWritable,
	}))
	s.uiURL = fmt.Sprintf("http://%s", net.JoinHostPort(o.UIIP, strconv.Itoa(o.UIPort)))
	_ = held.Close()
	go func() {
		if err := s.ui.Start(); err != nil {
			o.Logger.Error("temporal web UI stopped", zap.Error(err))
		}
	}()
}

// handedOut remembers the ports freePort gave in this process. The servers bind them only
// later, and the kernel may offer a closed port again meanwhile: two servers started at once
// (parallel tests) would then be given the same port, and the one that loses exits with a nil
// listener.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

func freePort(ip string) (int, error) {
	return handOut(func() (int, error) {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			return 0, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port, nil
	})
}

// membershipPort is a free port for a service's cluster membership below 32768: PostgreSQL
// keeps membership ports in a smallint, which the kernel's ephemeral ports (32768 and up)
// overflow.
func membershipPort() (int, error) {
	return handOut(func() (int, error) {
		p := 20000 + rand.IntN(12768)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return 0, nil // taken: try another
		}
		l.Close()
		return p, nil
	})
}

// handOut tries up to 200 ports from try (0: none this time) and hands out the first one not
// handed out before in this process.
func handOut(try func() (int, error)) (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range 200 {
		p, err := try()
		if err != nil {
			return 0, err
		}
		if p != 0 && !handedOut.ports[p] {
			handedOut.ports[p] = true
			return p, nil
		}
	}
	return 0, fmt.Errorf("finding a free port: none of 200 tried was free and not handed out before")
}

// quietLogger drops the SDK client's logs while the server starts.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

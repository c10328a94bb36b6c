package devserver

import (
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	"go.temporal.io/server/common/config"
	tlog "go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// Temporal's PostgreSQL schemas in the server module's embedded schema directory.
const (
	pgMainSchema       = "postgresql/v12/temporal"
	pgVisibilitySchema = "postgresql/v12/visibility"
)

// pgDatabases parses a postgres:// URL into Temporal's two SQL stores: the URL's database
// (default "temporal") for the history and its name with "_visibility" for visibility. The
// URL's query (sslmode, host for a unix socket, ...) becomes connection attributes.
func pgDatabases(raw string) (main, vis *config.SQL, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, nil, fmt.Errorf("TEMPORAL_DEV_DATABASE_URL must be a postgres:// URL")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		name = "temporal"
	}
	if strings.ContainsAny(name, "/\"; ") {
		return nil, nil, fmt.Errorf("TEMPORAL_DEV_DATABASE_URL: %q is not a plain database name", name)
	}
	attrs := map[string]string{}
	for k, v := range u.Query() {
		if len(v) > 0 {
			attrs[k] = v[len(v)-1]
		}
	}
	if attrs["sslmode"] == "" {
		attrs["sslmode"] = "prefer"
	}
	pass, _ := u.User.Password()
	base := config.SQL{
		PluginName: pgplugin.PluginNamePGX, User: u.User.Username(), Password: pass,
		ConnectAddr: u.Host, ConnectProtocol: "tcp", ConnectAttributes: attrs,
		MaxConns: 20, MaxIdleConns: 20, MaxConnLifetime: time.Hour,
	}
	m, v := base, base
	m.DatabaseName, v.DatabaseName = name, name+"_visibility"
	m.ConnectAttributes, v.ConnectAttributes = maps.Clone(attrs), maps.Clone(attrs)
	return &m, &v, nil
}

// setupPostgres creates both databases when missing and brings their schemas to the version
// this server needs (Temporal's own versioned migrations, run as temporal-sql-tool would; a
// no-op when they are current).
func setupPostgres(main, vis *config.SQL, logger tlog.Logger) error {
	for _, db := range []struct {
		conf   *config.SQL
		schema string
	}{{main, pgMainSchema}, {vis, pgVisibilitySchema}} {
		if err := createDatabase(*db.conf, logger); err != nil {
			return err
		}
		conn, err := sqltool.NewConnection(db.conf, logger)
		if err != nil {
			return fmt.Errorf("connecting to temporal database %s: %w", db.conf.DatabaseName, err)
		}
		err = migrate(conn, db.conf.DatabaseName, db.schema, logger)
		conn.Close()
		if err != nil {
			return fmt.Errorf("temporal database %s: %w", db.conf.DatabaseName, err)
		}
	}
	return nil
}

// createDatabase creates conf's database through the server's "postgres" database unless it
// exists.
func createDatabase(conf config.SQL, logger tlog.Logger) error {
	name := conf.DatabaseName
	conf.DatabaseName = "postgres"
	conn, err := sqltool.NewConnection(&conf, logger)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL to create %s: %w", name, err)
	}
	defer conn.Close()
	err = conn.CreateDatabase(name)
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("creating temporal database %s: %w", name, err)
	}
	return nil
}

// migrate sets up the schema version table on a new database, then applies every versioned
// schema change above the database's version.
func migrate(conn *sqltool.Connection, dbName, schemaName string, logger tlog.Logger) error {
	if _, err := conn.ReadSchemaVersion(); err != nil {
		setup := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0", DisableVersioning: false}, logger)
		if err := setup.Run(); err != nil {
			return fmt.Errorf("setting up the schema version table: %w", err)
		}
	}
	update := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{DBName: dbName, SchemaName: schemaName}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("updating the schema: %w", err)
	}
	return nil
}

// forgetPostgresMembers drops the cluster membership an earlier embedded server left in the
// database (see forgetMembers: the embedded server is the only member of its cluster).
func forgetPostgresMembers(main *config.SQL, logger tlog.Logger) error {
	conn, err := sqltool.NewConnection(main, logger)
	if err != nil {
		return fmt.Errorf("connecting to temporal database %s: %w", main.DatabaseName, err)
	}
	defer conn.Close()
	if err := conn.Exec("DELETE FROM cluster_membership"); err != nil {
		return fmt.Errorf("clearing the stale cluster membership in %s: %w", main.DatabaseName, err)
	}
	return nil
}

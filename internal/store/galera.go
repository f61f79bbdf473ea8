package store

import (
	"context"
	"database/sql"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
)

// galeraDSN detects a MariaDB Galera node (wsrep_on) behind dsn and, if so, returns the DSN
// for the main pool with wsrep_sync_wait=1: a Galera node applies other nodes' commits a
// little later (0.2–0.4 s for a 100,000-label batch), so without it a request routed to
// another node than the previous one could miss that one's write (a filing approved
// through node 1, then its labels ordered through node 2). Verification's own pool keeps
// the plain DSN — its reads are the hot path — and re-reads an unknown code with the wait
// instead (syncedVerifySQL). On a server without Galera both are dsn.
func galeraDSN(ctx context.Context, dsn string) (string, bool) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return dsn, false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var on sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT @@wsrep_on").Scan(&on); err != nil || on.String != "1" {
		return dsn, false
	}
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return dsn, false
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	if _, set := cfg.Params["wsrep_sync_wait"]; !set {
		cfg.Params["wsrep_sync_wait"] = "1"
	}
	return cfg.FormatDSN(), true
}

// syncedVerifySQL is verification's lookup made to wait until the node has applied every
// commit the cluster had when it began (Galera's causal read), for a code not found at
// first: it may be a batch just ordered through another node.
const syncedVerifySQL = "SET STATEMENT wsrep_sync_wait=1 FOR " + verifySQL

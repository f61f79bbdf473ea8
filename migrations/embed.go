// Package migrations embeds the versioned SQL schema, one folder per database dialect.
// Both folders carry the same version numbers; MySQL files hold one DDL statement each
// because MySQL commits DDL implicitly.
package migrations

import "embed"

// FS holds sqlite/*.sql and mysql/*.sql.
//
//go:embed sqlite/*.sql mysql/*.sql
var FS embed.FS

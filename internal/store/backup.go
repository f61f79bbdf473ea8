package store

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Backup writes a consistent copy of a SQLite database to path while the service runs
// (VACUUM INTO reads one snapshot). MySQL is backed up with its own tools.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != "sqlite" {
		return errors.New("backup: only for SQLite; back up MySQL with mysqldump or mariadb-backup")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", path)
	}
	// A reader connection does the copy so writers are not held up; it is read-only by
	// pragma, which VACUUM INTO (it writes the new file) needs lifted for the duration.
	rdb, err := s.rdb.DB()
	if err != nil {
		return err
	}
	conn, err := rdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only(0)"); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only(1)")
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}

package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"gimark/model"
)

// uniqueIndex explains a unique index to the user when a write collides with it. Both
// engines' messages carry a recognisable part: MySQL the index name, SQLite "table.column".
type uniqueIndex struct {
	index, sqliteColumns, field, msg string
	code                             model.Code
}

var uniqueIndexes = []uniqueIndex{
	{"ux_users_username", "users.username", "username", "this username is taken", model.FieldUsernameTaken},
	{"ux_enterprises_uscc", "enterprises.uscc", "enterprise.uscc", "an enterprise with this unified social credit code is already registered", model.FieldUSCCTaken},
}

// registerUnique lets another file of this package explain its unique indexes.
func registerUnique(u ...uniqueIndex) { uniqueIndexes = append(uniqueIndexes, u...) }

// isDuplicate reports whether err is a unique-key violation.
func isDuplicate(err error) bool {
	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return errors.Is(err, gorm.ErrDuplicatedKey) || strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// translate maps a database error to the model vocabulary. what names the object for
// not-found messages.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var me *model.Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return model.NotFound(what)
	case isDuplicate(err):
		msg := err.Error()
		for _, u := range uniqueIndexes {
			if strings.Contains(msg, u.index) || strings.Contains(msg, u.sqliteColumns) {
				return &model.Error{Kind: model.KindConflict, Code: "duplicate", Msg: u.msg,
					Fields: []model.FieldError{{Field: u.field, Code: u.code, Message: u.msg}}, Err: err}
			}
		}
		return &model.Error{Kind: model.KindConflict, Code: "duplicate", Msg: what + " already exists", Err: err}
	case isUnavailable(err):
		return &model.Error{Kind: model.KindUnavailable, Code: "database_unavailable", Msg: "the database is unavailable, try again shortly", Err: err}
	}
	return err
}

// isUnavailable reports errors that mean the database cannot be reached right now.
func isUnavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, gomysql.ErrInvalidConn) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// isRetryable reports MySQL deadlocks (1213) and lock wait timeouts (1205).
func isRetryable(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

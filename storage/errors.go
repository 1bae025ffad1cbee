package storage

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"

	sqlite "github.com/glebarez/go-sqlite"
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// transientError is a failure that goes away when the transaction is
// run again: a deadlock, a lock wait timeout, a busy SQLite file.
type transientError struct{ err error }

func (e *transientError) Error() string { return "transient: " + e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// MySQL server error numbers that Leadbot branches on.
const (
	mysqlDupEntry       = 1062
	mysqlLockWait       = 1205
	mysqlDeadlock       = 1213
	mysqlServerShutdown = 1053
)

// SQLite result codes (extended codes carry the primary in the low byte).
const (
	sqliteBusy   = 5
	sqliteLocked = 6
	sqliteUnique = 2067
	sqlitePKey   = 1555
)

// classify turns a driver error into an engine error kind, by type and
// number, never by text. Errors that are already engine errors pass.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var ee *engine.Error
	var te *transientError
	if errors.As(err, &ee) || errors.As(err, &te) {
		return err
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return &engine.Error{Kind: engine.NotFound, Code: "not_found", Msg: "not found"}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}

	var me *gomysql.MySQLError
	if errors.As(err, &me) {
		return classifyMySQL(me, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return classifySQLite(se.Code(), err)
	}
	if unreachable(err) {
		return &engine.Error{Kind: engine.Unavailable, Code: "database_unavailable",
			Msg: "the database does not answer", Err: err}
	}
	return err
}

func classifyMySQL(me *gomysql.MySQLError, err error) error {
	switch me.Number {
	case mysqlDupEntry:
		return &engine.Error{
			Kind: engine.Conflict,
			Code: "duplicate",
			Msg:  "a unique value is taken",
			Err:  err,
		}
	case mysqlDeadlock, mysqlLockWait:
		return &transientError{err}
	case mysqlServerShutdown:
		return &engine.Error{Kind: engine.Unavailable, Code: "database_unavailable",
			Msg: "the database is shutting down", Err: err}
	}
	return err
}

func classifySQLite(code int, err error) error {
	switch {
	case code == sqliteUnique || code == sqlitePKey:
		return &engine.Error{
			Kind: engine.Conflict,
			Code: "duplicate",
			Msg:  "a unique value is taken",
			Err:  err,
		}
	case code&0xff == sqliteBusy || code&0xff == sqliteLocked:
		return &transientError{err}
	}
	return err
}

// unreachable reports a connection that failed or broke.
func unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, gomysql.ErrInvalidConn) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &oe) ||
		errors.As(err, &ne)
}

// isDuplicate reports a unique key violation.
func isDuplicate(err error) bool {
	return engine.KindOf(err) == engine.Conflict && engine.CodeOf(err) == "duplicate"
}

// wrapf adds what was being done to a classified error, keeping its kind.
func wrapf(err error, format string, args ...any) error {
	err = classify(err)
	if err == nil {
		return nil
	}
	var te *transientError
	if errors.As(err, &te) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

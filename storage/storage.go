package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	gomysql "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"

	"github.com/leadbot/leadbot/engine"
)

// The database drivers.
const (
	SQLite = "sqlite"
	MySQL  = "mysql"
)

// Options say which database to open and how.
type Options struct {
	// Driver is SQLite or MySQL.
	Driver string
	// DSN is the SQLite file path, or a go-sql-driver/mysql DSN.
	DSN string
	// MaxOpenConns bounds the MySQL connection pool and the SQLite reader
	// pool; SQLite always has exactly one writer.
	MaxOpenConns int
	// Log receives slow and failed statements; nil discards.
	Log *slog.Logger
}

// Store is engine.Store on SQL.
type Store struct {
	driver string
	w      *gorm.DB // read-write; for SQLite a single connection
	r      *gorm.DB // reads outside transactions
	log    *slog.Logger
	reader
}

var _ engine.Store = (*Store)(nil)

// Open connects to the database. It does not create tables: call Migrate.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 16
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	cfg := &gorm.Config{
		Logger:                 newGormLogger(o.Log),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return dbTime(time.Now()) },
	}

	s := &Store{driver: o.Driver, log: o.Log}
	var err error
	switch o.Driver {
	case SQLite:
		s.w, s.r, err = openSQLite(o, cfg)
	case MySQL:
		gomysql.SetLogger(driverLogger{o.Log})
		s.w, err = openMySQL(o, cfg)
		s.r = s.w
	default:
		return nil, fmt.Errorf(
			"open database: unknown driver %q (want %s or %s)",
			o.Driver,
			SQLite,
			MySQL,
		)
	}
	if err != nil {
		return nil, err
	}
	s.reader = reader{db: s.r}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(o Options, cfg *gorm.Config) (w, r *gorm.DB, err error) {
	// One writer whose transactions take the write lock as they begin:
	// a deferred transaction that reads and then writes can fail with
	// "database is locked" however long the busy timeout.
	w, err = gorm.Open(sqlite.Open(sqliteDSN(o.DSN, "_txlock=immediate")), cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite %s: %w", o.DSN, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, nil, err
	}
	wdb.SetMaxOpenConns(1)

	r, err = gorm.Open(sqlite.Open(sqliteDSN(o.DSN, "_pragma=query_only(1)")), cfg)
	if err != nil {
		wdb.Close()
		return nil, nil, fmt.Errorf("open sqlite %s: %w", o.DSN, err)
	}
	rdb, err := r.DB()
	if err != nil {
		wdb.Close()
		return nil, nil, err
	}
	rdb.SetMaxOpenConns(o.MaxOpenConns)
	return w, r, nil
}

// sqliteDSN adds the settings Leadbot relies on to a SQLite file path.
func sqliteDSN(path, extra string) string {
	params := []string{
		"_pragma=busy_timeout(10000)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=foreign_keys(1)",
		extra,
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + strings.Join(params, "&")
}

func openMySQL(o Options, cfg *gorm.Config) (*gorm.DB, error) {
	dsn, err := MySQLDSN(o.DSN)
	if err != nil {
		return nil, err
	}
	db, err := gorm.Open(mysql.New(mysql.Config{DSN: dsn}), cfg)
	if err != nil {
		return nil, fmt.Errorf("open mysql %s: %w", redactDSN(o.DSN), classify(err))
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	sqlDB.SetMaxIdleConns(o.MaxOpenConns)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return db, nil
}

// MySQLDSN returns dsn with the settings Leadbot relies on: utf8mb4, UTC
// times parsed into time.Time, and rows matched rather than rows changed
// as the count an UPDATE reports.
func MySQLDSN(dsn string) (string, error) {
	c, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("parse mysql dsn: %w", err)
	}
	c.ParseTime = true
	c.Loc = time.UTC
	c.ClientFoundRows = true
	c.Collation = "utf8mb4_bin"
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	c.Params["charset"] = "utf8mb4"
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 30 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = 30 * time.Second
	}
	return c.FormatDSN(), nil
}

// redactDSN hides the password of a MySQL DSN for messages and logs.
func redactDSN(dsn string) string {
	c, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "(unparsable dsn)"
	}
	if c.Passwd != "" {
		c.Passwd = "xxxxx"
	}
	s, err := url.PathUnescape(c.FormatDSN())
	if err != nil {
		return c.FormatDSN()
	}
	return s
}

// driverLogger sends go-sql-driver/mysql's own messages (a bad idle
// connection closed, a short read) to slog at debug level: the pool
// recovers from them, and a failure that matters reaches the caller.
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Debug("mysql driver", slog.String("msg", fmt.Sprint(v...)))
}

// maxParams is how many parameters one INSERT should bind. The SQLite
// driver binds each parameter by a scan of all of them, so its statements
// grow quadratically slower with size; MySQL takes large ones well.
func (s *Store) maxParams() int {
	if s.driver == SQLite {
		return 400
	}
	return 12000
}

// Driver returns SQLite or MySQL.
func (s *Store) Driver() string { return s.driver }

// Close closes every connection.
func (s *Store) Close() error {
	var errs []error
	for _, db := range []*gorm.DB{s.w, s.r} {
		if sqlDB, err := db.DB(); err == nil {
			errs = append(errs, sqlDB.Close())
		}
		if s.r == s.w {
			break
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers. It returns an *engine.Error of
// kind Unavailable when it does not.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.w.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return &engine.Error{Kind: engine.Unavailable, Code: "database_unavailable",
			Msg: "the database does not answer", Err: err}
	}
	return nil
}

// maxAttempts bounds the retries of a transaction that met a deadlock or
// a lock timeout.
const maxAttempts = 6

// Update runs fn in one transaction, retrying deadlocks and lock
// timeouts with a short randomised backoff.
func (s *Store) Update(ctx context.Context, fn func(engine.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.w.WithContext(ctx).Transaction(func(db *gorm.DB) error {
			return fn(&tx{reader: reader{db: db}, db: db, maxParams: s.maxParams()})
		})
		err = classify(err)
		var t *transientError
		if !errors.As(err, &t) {
			return err
		}
		if attempt == maxAttempts {
			return &engine.Error{
				Kind: engine.Unavailable,
				Code: "database_busy",
				Msg: fmt.Sprintf(
					"the database stayed busy over %d attempts; try again",
					attempt,
				),
				Err: t.err,
			}
		}
		s.log.Debug("transaction retried", slog.Int("attempt", attempt), slog.Any("err", t.err))
		backoff := time.Duration(attempt*attempt) * time.Millisecond * time.Duration(1+rand.IntN(5))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
}

// Migrate creates or updates the tables and indexes. On MySQL a named
// lock keeps replicas that start together from migrating at once.
func (s *Store) Migrate(ctx context.Context) error {
	if s.driver != MySQL {
		return classify(migrateCadence(s.w.WithContext(ctx), func(db *gorm.DB) error {
			return db.AutoMigrate(allRows...)
		}))
	}
	return s.w.WithContext(ctx).Connection(func(db *gorm.DB) error {
		var got int
		if err := db.Raw("SELECT GET_LOCK('leadbot_migrate', 60)").Scan(&got).Error; err != nil {
			return classify(err)
		}
		if got != 1 {
			return errors.New("migrate: another process holds the migration lock for over 60s")
		}
		defer db.Exec("SELECT RELEASE_LOCK('leadbot_migrate')")
		db = db.Set(
			"gorm:table_options",
			"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
		)
		return classify(migrateCadence(db, func(db *gorm.DB) error {
			return db.AutoMigrate(allRows...)
		}))
	})
}

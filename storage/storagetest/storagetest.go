// Package storagetest opens throwaway Leadbot stores for tests: a SQLite
// file in the test's temporary folder, and a MySQL database of its own
// that is created for the test and dropped after it.
//
// MySQL is found through LEADBOT_TEST_MYSQL_DSN (default
// root@tcp(127.0.0.1:3306)/test). Where it does not answer, MySQL tests
// skip with a message, except under CI=true or LEADBOT_TEST_MYSQL=require,
// where they fail: CI must exercise both databases.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/leadbot/leadbot/storage"
)

// DefaultMySQLDSN is the server the tests use when LEADBOT_TEST_MYSQL_DSN
// is unset.
const DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/test"

// Drivers lists the databases every storage-backed test runs against.
var Drivers = []string{storage.SQLite, storage.MySQL}

// ForEach runs fn as a subtest per driver, each on a fresh store.
func ForEach(t *testing.T, fn func(t *testing.T, s *storage.Store)) {
	t.Helper()
	for _, d := range Drivers {
		t.Run(d, func(t *testing.T) { fn(t, Open(t, d)) })
	}
}

// Open returns a migrated, empty store on driver, closed and removed when
// the test ends.
func Open(t testing.TB, driver string) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), Options(t, driver))
	if err != nil {
		t.Fatalf("open %s store: %v", driver, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", driver, err)
	}
	return s
}

// Options returns the options of a fresh, empty database on driver,
// removed when the test ends. Opening them twice reaches the same data.
func Options(t testing.TB, driver string) storage.Options {
	t.Helper()
	switch driver {
	case storage.SQLite:
		return storage.Options{Driver: storage.SQLite, DSN: filepath.Join(t.TempDir(), "leadbot.db")}
	case storage.MySQL:
		return storage.Options{Driver: storage.MySQL, DSN: MySQLDatabase(t)}
	}
	t.Fatalf("unknown driver %q", driver)
	return storage.Options{}
}

// MySQLDatabase creates a database of the test's own and returns its DSN.
func MySQLDatabase(t testing.TB) string {
	t.Helper()
	server := os.Getenv("LEADBOT_TEST_MYSQL_DSN")
	if server == "" {
		server = DefaultMySQLDSN
	}
	cfg, err := gomysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("LEADBOT_TEST_MYSQL_DSN: %v", err)
	}
	cfg.Timeout = 3 * time.Second
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if mysqlRequired() {
			t.Fatalf("MySQL is required here (CI) but %s does not answer: %v", cfg.Addr, err)
		}
		t.Skipf("skipping MySQL test: no MySQL at %s (%v); set LEADBOT_TEST_MYSQL_DSN", cfg.Addr, err)
	}

	name := "leadbot_test_" + randomSuffix(t)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func mysqlRequired() bool {
	return os.Getenv("CI") == "true" || os.Getenv("LEADBOT_TEST_MYSQL") == "require"
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

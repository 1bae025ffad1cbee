package storage_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// planDB opens a migrated, empty MySQL database of the test's own, for
// checking with EXPLAIN that a query can use an index; it closes when
// the test ends.
func planDB(t *testing.T) *sql.DB {
	t.Helper()
	opts := storagetest.Options(t, storage.MySQL)
	s, err := storage.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	dsn, _ := storage.MySQLDSN(opts.DSN)
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// explainMySQL returns MySQL's plan of query on a migrated, empty
// database, a column-to-value map per row.
func explainMySQL(t *testing.T, query string) []map[string]string {
	t.Helper()
	db := planDB(t)
	rows, err := db.Query("EXPLAIN " + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, c := range cols {
			row[c] = vals[i].String
		}
		out = append(out, row)
	}
	if len(out) == 0 {
		t.Fatalf("EXPLAIN %s: no plan", query)
	}
	return out
}

// explainKey returns the possible keys MySQL names for a query.
func explainKey(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN " + query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	keys := ""
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			if c == "possible_keys" {
				keys += vals[i].String
			}
		}
	}
	return keys
}

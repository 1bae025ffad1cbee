// Package storage keeps Leadbot's state in SQL through gorm: an embedded
// SQLite file by default, MySQL (or MariaDB) in production. It
// implements engine.Store and maps driver errors to engine error kinds,
// so nothing above it knows which database it runs on.
package storage

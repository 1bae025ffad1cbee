// Package engine is Leadbot's domain: leads, reps, the decisions that
// route one to the other, and the error kinds that every edge maps to its
// own answer.
//
// It relies on two small interfaces that other packages implement: a
// Store that keeps state (package storage, on SQLite or MySQL) and a
// Clock. It imports no database, HTTP or chat package, so every rule here
// holds the same for a REST call, a chat command and a scheduled job.
package engine

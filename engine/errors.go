package engine

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that an edge can choose its answer (an HTTP
// status, a chat sentence) without reading the error's text.
type Kind uint8

// The kinds of error the engine and its stores return.
const (
	// Other is an unexpected failure: a bug or an unclassified driver error.
	Other Kind = iota
	// Invalid means the input failed validation; Error.Field names it.
	Invalid
	// NotFound means the named lead, rep or dispute does not exist.
	NotFound
	// Conflict means the current state forbids the change: the lead is
	// already claimed or closed, or a unique value is taken.
	Conflict
	// OverCapacity means the rep already holds as many open tasks as their
	// capacity allows.
	OverCapacity
	// Unavailable means the database or another dependency cannot be
	// reached; the same request may succeed later.
	Unavailable
	// Forbidden means the caller may not do this.
	Forbidden
)

var kindNames = [...]string{
	Other:        "other",
	Invalid:      "invalid",
	NotFound:     "not_found",
	Conflict:     "conflict",
	OverCapacity: "over_capacity",
	Unavailable:  "unavailable",
	Forbidden:    "forbidden",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is the engine's error: a kind to branch on, a stable snake_case
// code that API clients may rely on, the input field at fault when the
// kind is Invalid, and a message for people.
type Error struct {
	Kind  Kind
	Code  string
	Field string
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	msg := e.Msg
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		if msg == "" {
			return e.Err.Error()
		}
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of the first *Error in err's chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// CodeOf returns the code of the first *Error in err's chain with one, or
// the kind's name; "" for no error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	for errors.As(err, &e) {
		if e.Code != "" {
			return e.Code
		}
		if e.Err == nil {
			break
		}
		err = e.Err
	}
	return KindOf(err).String()
}

// FieldOf returns the input field named by the first *Error in err's
// chain, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func invalid(field, code, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)}
}

func notFound(code, format string, args ...any) *Error {
	return &Error{Kind: NotFound, Code: code, Msg: fmt.Sprintf(format, args...)}
}

func conflict(code, format string, args ...any) *Error {
	return &Error{Kind: Conflict, Code: code, Msg: fmt.Sprintf(format, args...)}
}

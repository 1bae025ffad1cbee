package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/leadbot/leadbot/engine"
)

// handler answers a request with a status and a body to encode as JSON,
// or with an error that serve turns into the contract's error shape.
type handler func(r *http.Request) (int, any, error)

// rawBody is a response body sent as it is.
type rawBody struct {
	contentType string
	body        []byte
}

func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body, err := h(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if raw, ok := body.(rawBody); ok {
			w.Header().Set("Content-Type", raw.contentType)
			w.WriteHeader(status)
			w.Write(raw.body)
			return
		}
		writeJSON(w, status, body)
	})
}

// apiError is an error that already knows its status and code.
type apiError struct {
	status int
	code   string
	field  string
	msg    string
	allow  string // the Allow header of a 405
}

func (e *apiError) Error() string { return e.msg }

func errNotFound(msg string) error {
	return &apiError{status: http.StatusNotFound, code: "not_found", msg: msg}
}

func badRequest(code, field, format string, args ...any) error {
	return &apiError{
		status: http.StatusBadRequest,
		code:   code,
		field:  field,
		msg:    fmt.Sprintf(format, args...),
	}
}

type errorJSON struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func errorBody(code, msg, field string) errorJSON {
	return errorJSON{errorDetail{Code: code, Message: msg, Field: field}}
}

// statusOf maps engine error kinds to HTTP statuses.
var statusOf = map[engine.Kind]int{
	engine.Invalid:      http.StatusUnprocessableEntity,
	engine.NotFound:     http.StatusNotFound,
	engine.Conflict:     http.StatusConflict,
	engine.OverCapacity: http.StatusUnprocessableEntity,
	engine.Unavailable:  http.StatusServiceUnavailable,
	engine.Forbidden:    http.StatusForbidden,
}

// writeError answers with the contract's error shape. Unexpected errors
// are logged here, the edge that decides, and the caller reads only
// that something went wrong.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.allow != "" {
			w.Header().Set("Allow", ae.allow)
		}
		writeJSON(w, ae.status, errorBody(ae.code, ae.msg, ae.field))
		return
	}
	kind := engine.KindOf(err)
	status, ok := statusOf[kind]
	if !ok {
		id := RequestID(r.Context())
		s.log.ErrorContext(r.Context(), "request failed", slog.String("request_id", id),
			slog.String("path", r.URL.Path), slog.Any("err", err))
		writeJSON(w, http.StatusInternalServerError, errorBody("internal_error",
			"something went wrong; it was logged with request id "+id, ""))
		return
	}
	if kind == engine.Unavailable {
		s.log.WarnContext(r.Context(), "database unavailable",
			slog.String("request_id", RequestID(r.Context())), slog.Any("err", err))
		w.Header().Set("Retry-After", "5")
		writeJSON(w, status, errorBody("database_unavailable",
			"the database cannot be reached; try again shortly", ""))
		return
	}
	var ee *engine.Error
	msg := err.Error()
	if errors.As(err, &ee) {
		msg = ee.Error()
	}
	writeJSON(w, status, errorBody(engine.CodeOf(err), msg, engine.FieldOf(err)))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// Body size limits. A single object may hold long texts and attributes;
// a history upload holds many deals.
const (
	maxBody        = 8 << 20
	maxHistoryBody = 64 << 20
)

// decode reads a JSON body into v. Malformed JSON, a wrong type and
// invalid UTF-8 are 400 naming where; a body over limit is 413.
func decode(r *http.Request, limit int64, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			msg: fmt.Sprintf("request body is over %d bytes", limit)}
	}
	if err != nil {
		return badRequest("unreadable_body", "", "cannot read request body: %v", err)
	}
	return unmarshal(raw, v)
}

func unmarshal(raw []byte, v any) error {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return badRequest(
			"malformed_json",
			"",
			"request body is empty; a JSON document is required",
		)
	}
	if !utf8.Valid(raw) {
		field := invalidUTF8Field(raw, "")
		return badRequest("invalid_utf8", field, "%s is not valid UTF-8", describeField(field))
	}
	err := json.Unmarshal(raw, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return badRequest("malformed_json", "", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		// encoding/json names promoted fields with the Go name of the
		// struct they come from; clients know only the JSON keys.
		field := strings.ReplaceAll(te.Field, "profileJSON.", "")
		return badRequest("invalid_type", field, "%s must be %s, not %s",
			describeField(field), jsonType(te.Type.Kind().String()), te.Value)
	}
	return badRequest("malformed_json", "", "cannot decode request body: %v", err)
}

func describeField(f string) string {
	if f == "" {
		return "request body"
	}
	return "field " + f
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32":
		return "a whole number"
	case "float64", "float32":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "of another type"
}

// invalidUTF8Field finds the first member of a JSON object whose value
// holds bytes that are not UTF-8, as a dotted path. encoding/json would
// silently replace them, so this looks at the raw bytes.
func invalidUTF8Field(raw []byte, prefix string) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return strings.TrimSuffix(prefix, ".")
	}
	for k, v := range obj {
		if !utf8.ValidString(k) {
			return strings.TrimSuffix(prefix, ".")
		}
		if !utf8.Valid(v) {
			return invalidUTF8Field(v, prefix+k+".")
		}
	}
	return strings.TrimSuffix(prefix, ".")
}

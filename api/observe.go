package api

import (
	"strings"
	"time"
)

// RequestObserver is told of every request once it is answered, for
// the operations metrics. route is the pattern of the handler that took
// the request without its method ("/api/v1/leads/{id}"), "" when none
// did; it is never the raw path, whose ids would make every lead a
// series of its own.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, took time.Duration)
}

type noObserver struct{}

func (noObserver) ObserveRequest(string, string, int, time.Duration) {}

// routeOf strips the method from a mux pattern such as
// "GET /api/v1/leads/{id}".
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return strings.TrimSpace(pattern[i+1:])
	}
	return pattern
}

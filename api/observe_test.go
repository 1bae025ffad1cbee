package api_test

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) ObserveRequest(route, method string, status int, _ time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, fmt.Sprintf("%s %q %d", method, route, status))
}

// Requests are reported by the pattern that answered them, never by the
// path with its ids, and with the status the client got.
func TestRequestsObservedByPattern(t *testing.T) {
	s := storagetest.Open(t, storage.SQLite)
	obs := &requestLog{}
	h := api.New(api.Options{Service: engine.NewService(engine.Deps{Store: s}), Token: token,
		Metrics: obs})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, store: s}

	e.must(200, "GET", "/healthz", nil)
	e.must(404, "GET", "/api/v1/leads/L99", nil)
	e.must(404, "GET", "/api/v1/leads/L98", nil)
	e.do("GET", "/api/v1/reps", "", nil)
	e.must(405, "DELETE", "/api/v1/leads/L1", nil)
	e.must(404, "GET", "/elsewhere", nil)

	want := []string{
		`GET "/healthz" 200`,
		`GET "/api/v1/leads/{id}" 404`,
		`GET "/api/v1/leads/{id}" 404`,
		`GET "/api/v1/reps" 401`,
		`DELETE "/api/v1/" 405`,
		`GET "" 404`,
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if !slices.Equal(obs.seen, want) {
		t.Errorf("observed\n%q\nwant\n%q", obs.seen, want)
	}
}

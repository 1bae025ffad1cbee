package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/api"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

const token = "test-token"

// env is a Leadbot API on a real store.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store *storage.Store
	clock *enginetest.Clock
}

func newEnv(t *testing.T, s *storage.Store, mode engine.Mode) *env {
	t.Helper()
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = mode
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	h := api.New(api.Options{Service: svc, Token: token, ReadToken: "read-token", Location: shanghai,
		OpenAPI: []byte("openapi: 3.0.3\n")})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: s, clock: clock}
}

// forEachDB runs fn against an API on SQLite and on MySQL.
func forEachDB(t *testing.T, mode engine.Mode, fn func(t *testing.T, e *env)) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) { fn(t, newEnv(t, s, mode)) })
}

type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func (e *env) do(method, path, tok string, body any) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: b, Header: resp.Header}
}

func (e *env) call(method, path string, body any) response {
	e.t.Helper()
	return e.do(method, path, token, body)
}

// must calls and fails the test unless the status is want.
func (e *env) must(want int, method, path string, body any) response {
	e.t.Helper()
	r := e.call(method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

func (e *env) putRep(id string, capacity int) {
	e.t.Helper()
	e.must(200, "PUT", "/api/v1/reps/"+id, map[string]any{"name": "rep " + id, "role": "rep",
		"team": "east", "capacity": capacity})
}

type leadJSON struct {
	ID         string   `json:"id"`
	ExternalID string   `json:"external_id"`
	Company    string   `json:"company"`
	Score      float64  `json:"score"`
	Tier       string   `json:"tier"`
	Status     string   `json:"status"`
	Assignee   *string  `json:"assignee"`
	DueAt      *string  `json:"due_at"`
	Amount     *float64 `json:"amount"`
	Decision   *struct {
		Strategy   string   `json:"strategy"`
		Reasons    []string `json:"reasons"`
		Candidates []struct {
			RepID string  `json:"rep_id"`
			Score float64 `json:"score"`
		} `json:"candidates"`
	} `json:"decision"`
}

func (l leadJSON) assignee() string {
	if l.Assignee == nil {
		return ""
	}
	return *l.Assignee
}

func (e *env) postLead(ext string, amount, prob float64) leadJSON {
	e.t.Helper()
	var l leadJSON
	e.must(201, "POST", "/api/v1/leads", map[string]any{"external_id": ext, "company": "公司 " + ext,
		"expected_amount": amount, "close_probability": prob}).decode(e.t, &l)
	return l
}

// Package api serves Leadbot's REST API v1 (the integration contract that
// CRMs, web forms and scripts rely on), the health probes and the OpenAPI
// document, on stdlib net/http. It turns requests into engine use cases
// and engine error kinds into statuses; it holds no business rule.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// Options configure the API handler.
type Options struct {
	Service *engine.Service
	// Token grants full access to /api/v1. Empty refuses every call.
	Token string
	// ReadToken, when set, grants read-only access: GET requests only.
	ReadToken string
	// Location is the time zone in which times are written.
	Location *time.Location
	// OpenAPI is the document served at /api/v1/openapi.yaml.
	OpenAPI []byte
	Log     *slog.Logger
	// Metrics, when set, is told of every request answered.
	Metrics RequestObserver
	// Insight makes the health reports of /api/v1/metrics and Export
	// streams the CSV exports; without them those routes answer 503.
	Insight *insight.Reporter
	Export  insight.Exporter
}

// Server is the HTTP face of Leadbot's engine.
type Server struct {
	svc     *engine.Service
	token   string
	read    string
	loc     *time.Location
	openapi []byte
	log     *slog.Logger
	mux     *http.ServeMux
	metrics RequestObserver
	insight *insight.Reporter
	export  insight.Exporter
}

// New returns the API server; mount it at the root of the listener.
func New(o Options) *Server {
	s := &Server{svc: o.Service, token: o.Token, read: o.ReadToken, loc: o.Location,
		openapi: o.OpenAPI, log: o.Log, mux: http.NewServeMux(), metrics: o.Metrics,
		insight: o.Insight, export: o.Export}
	if s.metrics == nil {
		s.metrics = noObserver{}
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.routes()
	return s
}

// Handle mounts another handler (a chat callback, the console) on the
// same listener, inside the request logging.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)

	v1 := func(pattern string, h handler) { s.mux.Handle(pattern, s.authorize(s.serve(h))) }
	v1("GET /api/v1/openapi.yaml", s.openAPI)
	v1("PUT /api/v1/reps/{rep_id}", s.putRep)
	v1("GET /api/v1/reps", s.listReps)
	v1("POST /api/v1/history", s.postHistory)
	v1("POST /api/v1/leads", s.postLead)
	v1("GET /api/v1/leads", s.listLeads)
	v1("GET /api/v1/leads/{id}", s.getLead)
	v1("POST /api/v1/leads/{id}/claim", s.claim)
	v1("POST /api/v1/leads/{id}/outcome", s.outcome)
	v1("POST /api/v1/leads/{id}/extend", s.extend)
	v1("POST /api/v1/leads/{id}/reassign", s.reassign)
	v1("POST /api/v1/leads/{id}/return", s.returnLead)
	v1("GET /api/v1/leads/{id}/history", s.leadHistory)
	v1("GET /api/v1/leads/{id}/decision", s.leadDecision)
	v1("GET /api/v1/disputes", s.listDisputes)
	v1("GET /api/v1/experiments/report", s.experimentReport)
	v1("PUT /api/v1/leads/{id}/target", s.putTarget)
	v1("GET /api/v1/leads/{id}/milestones", s.listMilestones)
	v1("POST /api/v1/leads/{id}/milestones/{kind}/done", s.milestoneDone)
	v1("GET /api/v1/metrics/health", s.health)
	// The exports stream CSV rows rather than answer one JSON body.
	csv := func(h http.HandlerFunc) http.Handler { return s.authorize(h) }
	s.mux.Handle("GET /api/v1/export/tasks.csv", csv(s.exportTasks))
	s.mux.Handle("GET /api/v1/export/decisions.csv", csv(s.exportDecisions))
	s.mux.Handle("GET /api/v1/export/metrics.csv", csv(s.exportMetrics))
	v1("POST /api/v1/targets", s.postTarget)
	v1("GET /api/v1/targets", s.listTargets)
	v1("GET /api/v1/targets/history", s.targetHistory)
	v1("/api/v1/", s.noRoute)
}

// noRoute answers a path the API does not have with 404, and a known
// path asked with the wrong method with 405 and the methods it allows.
func (s *Server) noRoute(r *http.Request) (int, any, error) {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/api/v1/" && pattern != "" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return 0, nil, errNotFound(fmt.Sprintf("no endpoint %s %s", r.Method, r.URL.Path))
	}
	return 0, nil, &apiError{
		status: http.StatusMethodNotAllowed,
		code:   "method_not_allowed",
		allow:  strings.Join(allowed, ", "),
		msg: fmt.Sprintf(
			"%s %s is not allowed; use %s",
			r.Method,
			r.URL.Path,
			strings.Join(allowed, " or "),
		),
	}
}

// ServeHTTP logs each request and answers it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.logRequests(s.mux).ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 while the database answers, 503 otherwise.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.svc.Store().Ping(ctx); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) openAPI(r *http.Request) (int, any, error) {
	return http.StatusOK, rawBody{contentType: "application/yaml", body: s.openapi}, nil
}

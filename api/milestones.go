package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// parseDate reads an optional date: 2006-01-02, or an RFC 3339 time
// whose date, in its own offset, is taken.
func parseDate(field string, s *string) (*time.Time, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(*s)); err == nil {
		y, m, d := t.Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return &day, nil
	}
	day, err := engine.ParseDate(field, *s)
	if err != nil {
		return nil, err
	}
	return &day, nil
}

type milestoneOut struct {
	ID     string     `json:"id"`
	LeadID string     `json:"lead_id"`
	Kind   string     `json:"kind"`
	Date   string     `json:"date"`
	DueAt  time.Time  `json:"due_at"`
	Moved  bool       `json:"moved"`
	Status string     `json:"status"`
	DoneAt *time.Time `json:"done_at"`
	DoneBy *string    `json:"done_by"`
}

func (s *Server) milestoneOut(m engine.Milestone) milestoneOut {
	return milestoneOut{ID: m.ID.String(), LeadID: m.LeadID.String(), Kind: string(m.Kind),
		Date: m.Date.Format(time.DateOnly), DueAt: m.DueAt.In(s.loc), Moved: m.Moved,
		Status: string(m.Status), DoneAt: s.timePtr(m.DoneAt), DoneBy: optional(string(m.DoneBy))}
}

// putTarget sets a lead's target close date and plans its milestones.
func (s *Server) putTarget(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		TargetCloseAt *string `json:"target_close_at"`
	}
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	target, err := parseDate("target_close_at", in.TargetCloseAt)
	if err != nil {
		return 0, nil, err
	}
	if target == nil {
		return 0, nil, missing("target_close_at")
	}
	l, err := s.svc.SetTarget(r.Context(), id, *target, engine.ActorAPI)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

func (s *Server) listMilestones(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	ms, err := s.svc.Milestones(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]milestoneOut, len(ms))
	for i, m := range ms {
		out[i] = s.milestoneOut(m)
	}
	return http.StatusOK, out, nil
}

// milestoneDone marks a lead's milestone done; the body may be empty.
func (s *Server) milestoneDone(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	kind, err := engine.ParseMilestoneKind(r.PathValue("kind"))
	if err != nil {
		return 0, nil, err
	}
	m, err := s.svc.CompleteMilestone(r.Context(), id, kind, engine.ActorAPI)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.milestoneOut(m), nil
}

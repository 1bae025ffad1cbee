package api

import (
	"net/http"

	"github.com/leadbot/leadbot/engine"
)

// interventionInput is what the supervisor endpoints take: who acts, an
// optional note, and the parts of one endpoint.
type interventionInput struct {
	By        *string `json:"by"`
	Note      string  `json:"note"`
	Extension *string `json:"extension"`
	RepID     *string `json:"rep_id"`
}

// intervention reads the lead and the body of a supervisor endpoint.
func intervention(r *http.Request) (engine.LeadID, interventionInput, error) {
	var in interventionInput
	id, err := pathLead(r)
	if err != nil {
		return 0, in, err
	}
	if err := decode(r, maxBody, &in); err != nil {
		return 0, in, err
	}
	if in.By == nil || *in.By == "" {
		return 0, in, missing("by")
	}
	return id, in, nil
}

// extend moves a held lead's deadline for a supervisor: by the
// configured default, or by "extension" (such as "2d" or "4h").
func (s *Server) extend(r *http.Request) (int, any, error) {
	id, in, err := intervention(r)
	if err != nil {
		return 0, nil, err
	}
	var ext *engine.Extension
	if in.Extension != nil {
		e, err := engine.ParseExtension(*in.Extension)
		if err != nil {
			return 0, nil, err
		}
		ext = &e
	}
	l, err := s.svc.Extend(r.Context(), id, engine.RepID(*in.By), ext, in.Note)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

// reassign gives a held lead to "rep_id" or, without one, to the
// router's choice among the other reps.
func (s *Server) reassign(r *http.Request) (int, any, error) {
	id, in, err := intervention(r)
	if err != nil {
		return 0, nil, err
	}
	var to engine.RepID
	if in.RepID != nil {
		to = engine.RepID(*in.RepID)
	}
	l, err := s.svc.Reassign(r.Context(), id, engine.RepID(*in.By), to, in.Note)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

// returnLead takes a held lead back to the open pool for a supervisor.
func (s *Server) returnLead(r *http.Request) (int, any, error) {
	id, in, err := intervention(r)
	if err != nil {
		return 0, nil, err
	}
	l, err := s.svc.ReturnToPool(r.Context(), id, engine.RepID(*in.By), in.Note)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

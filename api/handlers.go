package api

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/leadbot/leadbot/engine"
)

func (s *Server) putRep(r *http.Request) (int, any, error) {
	var in repIn
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	rep, err := in.toEngine(r.PathValue("rep_id"))
	if err != nil {
		return 0, nil, err
	}
	saved, err := s.svc.PutRep(r.Context(), rep, engine.ActorAPI)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.repOut(saved), nil
}

func (s *Server) listReps(r *http.Request) (int, any, error) {
	reps, err := s.svc.Reps(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := make([]repOut, len(reps))
	for i, rep := range reps {
		out[i] = s.repOut(rep)
	}
	return http.StatusOK, out, nil
}

// postHistory takes an array of closed deals. Each row is decoded on its
// own, so one of the wrong shape is rejected alone like one that fails
// validation.
func (s *Server) postHistory(r *http.Request) (int, any, error) {
	var rows []json.RawMessage
	if err := decode(r, maxHistoryBody, &rows); err != nil {
		return 0, nil, err
	}
	out := historyOut{Rejected: []rejectedJSON{}}
	var deals []engine.Deal
	var index []int // index[i] is the row of deals[i]
	for i, raw := range rows {
		var in historyIn
		err := unmarshal(raw, &in)
		var d engine.Deal
		if err == nil {
			d, err = in.toEngine()
		}
		if err != nil {
			out.Rejected = append(out.Rejected, rejectedJSON{i, err.Error()})
			continue
		}
		deals = append(deals, d)
		index = append(index, i)
	}

	n, rejected, err := s.svc.ImportHistory(
		r.Context(),
		deals,
		engine.HistoryOptions{Actor: engine.ActorAPI},
	)
	if err != nil {
		return 0, nil, err
	}
	out.Imported = n
	for _, re := range rejected {
		out.Rejected = append(out.Rejected, rejectedJSON{index[re.Index], re.Err.Error()})
	}
	sortRejected(out.Rejected)
	return http.StatusOK, out, nil
}

func sortRejected(rs []rejectedJSON) {
	slices.SortStableFunc(rs, func(a, b rejectedJSON) int { return cmp.Compare(a.Index, b.Index) })
}

func (s *Server) postLead(r *http.Request) (int, any, error) {
	var in leadIn
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	input, err := in.toEngine("")
	if err != nil {
		return 0, nil, err
	}
	lead, created, err := s.svc.Intake(r.Context(), input, engine.ActorAPI)
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return status, s.leadOut(lead), nil
}

func (s *Server) listLeads(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	f := engine.LeadFilter{
		Status:    engine.Status(q.Get("status")),
		Assignee:  engine.RepID(q.Get("assignee")),
		VisibleTo: engine.RepID(q.Get("visible_to")),
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, badRequest("invalid_type", "limit", "limit %q must be a whole number", v)
		}
		f.Limit = n
	}
	if v := q.Get("after"); v != "" {
		id, err := engine.ParseLeadID(v)
		if err != nil {
			return 0, nil, badRequest(
				"invalid_type",
				"after",
				"after %q must be a lead id such as L12",
				v,
			)
		}
		f.AfterID = id
	}
	leads, err := s.svc.Leads(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	out := make([]leadOut, len(leads))
	for i, l := range leads {
		out[i] = s.leadOut(l)
	}
	return http.StatusOK, out, nil
}

func (s *Server) getLead(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	l, err := s.svc.Lead(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	cs, err := s.svc.Collaborators(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	out := s.leadOut(l)
	list := s.collaboratorsOut(cs)
	out.Collaborators = &list
	return http.StatusOK, out, nil
}

func (s *Server) claim(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		RepID *string `json:"rep_id"`
	}
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.RepID == nil || *in.RepID == "" {
		return 0, nil, missing("rep_id")
	}
	l, err := s.svc.Claim(r.Context(), id, engine.RepID(*in.RepID), engine.ActorAPI)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

func (s *Server) outcome(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Outcome *string  `json:"outcome"`
		Amount  *float64 `json:"amount"`
	}
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Outcome == nil {
		return 0, nil, missing("outcome")
	}
	l, err := s.svc.RecordOutcome(
		r.Context(),
		id,
		engine.Outcome(*in.Outcome),
		in.Amount,
		engine.ActorAPI,
	)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, s.leadOut(l), nil
}

func (s *Server) leadHistory(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	events, err := s.svc.LeadHistory(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]eventOut, len(events))
	for i, e := range events {
		out[i] = s.eventOut(e)
	}
	return http.StatusOK, out, nil
}

func (s *Server) leadDecision(r *http.Request) (int, any, error) {
	id, err := pathLead(r)
	if err != nil {
		return 0, nil, err
	}
	ds, err := s.svc.Decisions(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	out := decisionLogOut{LeadID: id.String(), Log: make([]decisionJSON, len(ds))}
	for i, d := range ds {
		out.Log[i] = s.decisionOut(d)
	}
	if len(ds) > 0 {
		out.Latest = &out.Log[len(ds)-1]
	}
	return http.StatusOK, out, nil
}

func (s *Server) listDisputes(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	f := engine.DisputeFilter{Status: engine.DisputeStatus(q.Get("status"))}
	if v := q.Get("lead_id"); v != "" {
		id, err := engine.ParseLeadID(v)
		if err != nil {
			return 0, nil, &engine.Error{
				Kind:  engine.Invalid,
				Code:  "invalid_value",
				Field: "lead_id",
				Msg:   "must be a lead id such as L12",
			}
		}
		f.LeadID = id
	}
	ds, err := s.svc.Disputes(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	out := make([]disputeOut, len(ds))
	for i, d := range ds {
		out[i] = s.disputeOut(d)
	}
	return http.StatusOK, out, nil
}

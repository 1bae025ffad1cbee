package api

import (
	"net/http"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// targetIn is a target as POST /api/v1/targets takes it.
type targetIn struct {
	By     *string `json:"by"`
	Team   string  `json:"team"`
	RepID  string  `json:"rep_id"`
	Period string  `json:"period"`
	Metric string  `json:"metric"`
	Amount *int64  `json:"amount"`
	Split  string  `json:"split"`
	From   *string `json:"from"`
}

type targetOut struct {
	ID     string    `json:"id"`
	Team   *string   `json:"team"`
	RepID  *string   `json:"rep_id"`
	Period string    `json:"period"`
	Metric string    `json:"metric"`
	Amount int64     `json:"amount"`
	Split  *string   `json:"split"`
	From   string    `json:"from"`
	SetBy  string    `json:"set_by"`
	SetAt  time.Time `json:"set_at"`
}

func (s *Server) targetOut(t engine.Target) targetOut {
	return targetOut{ID: t.ID.String(), Team: optional(t.Team), RepID: optional(string(t.Rep)),
		Period: string(t.Period), Metric: string(t.Metric), Amount: t.Amount,
		Split: optional(string(t.Split)), From: t.From.In(s.loc).Format(time.DateOnly),
		SetBy: string(t.SetBy), SetAt: t.SetAt.In(s.loc)}
}

type progressOut struct {
	Amount   int64   `json:"amount"`
	Done     float64 `json:"done"`
	Expected int64   `json:"expected"`
	Share    float64 `json:"share"`
	Status   string  `json:"status"`
}

func toProgressOut(p engine.Progress) progressOut {
	return progressOut{Amount: p.Amount, Done: p.Done, Expected: p.Expected, Share: p.Share,
		Status: string(p.Status)}
}

type partOut struct {
	RepID       string  `json:"rep_id"`
	OwnTargetID *string `json:"own_target_id"`
	progressOut
}

type periodOut struct {
	Kind  string    `json:"kind"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type reportOut struct {
	Target   targetOut `json:"target"`
	Period   periodOut `json:"period"`
	Elapsed  float64   `json:"elapsed"`
	Assigned int64     `json:"assigned"`
	progressOut
	Parts []partOut `json:"parts"`
}

func (s *Server) reportOut(r engine.TargetReport) reportOut {
	out := reportOut{Target: s.targetOut(r.Target), Elapsed: r.Elapsed, Assigned: r.Assigned,
		Period: periodOut{Kind: string(r.Period.Kind), Start: r.Period.Start.In(s.loc),
			End: r.Period.End.In(s.loc)},
		progressOut: toProgressOut(r.Progress), Parts: make([]partOut, len(r.Parts))}
	for i, p := range r.Parts {
		out.Parts[i] = partOut{RepID: string(p.Rep), progressOut: toProgressOut(p.Progress)}
		if p.Own != 0 {
			id := p.Own.String()
			out.Parts[i].OwnTargetID = &id
		}
	}
	return out
}

// localDate reads an optional date, 2006-01-02, as its midnight in the
// installation's time zone.
func (s *Server) localDate(field string, v *string) (time.Time, error) {
	if v == nil || *v == "" {
		return time.Time{}, nil
	}
	d, err := engine.ParseDate(field, *v)
	if err != nil {
		return time.Time{}, err
	}
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, s.loc), nil
}

// postTarget sets a new version of a team's or a rep's target for the
// manager or team lead "by".
func (s *Server) postTarget(r *http.Request) (int, any, error) {
	var in targetIn
	if err := decode(r, maxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.By == nil || *in.By == "" {
		return 0, nil, missing("by")
	}
	if in.Amount == nil {
		return 0, nil, missing("amount")
	}
	from, err := s.localDate("from", in.From)
	if err != nil {
		return 0, nil, err
	}
	t, err := s.svc.PutTarget(r.Context(), engine.TargetInput{Team: in.Team,
		Rep: engine.RepID(in.RepID), Period: engine.PeriodKind(in.Period),
		Metric: engine.Metric(in.Metric), Amount: *in.Amount, Split: engine.TargetSplit(in.Split),
		From: from}, engine.RepID(*in.By))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, s.targetOut(t), nil
}

// listTargets reports the targets in effect in the periods holding "at"
// (a date; today by default), with progress.
func (s *Server) listTargets(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	at := q.Get("at")
	day, err := s.localDate("at", &at)
	if err != nil {
		return 0, nil, err
	}
	rs, err := s.svc.TargetProgress(r.Context(), engine.TargetQuery{Team: q.Get("team"),
		Rep: engine.RepID(q.Get("rep_id")), Period: engine.PeriodKind(q.Get("period")), At: day})
	if err != nil {
		return 0, nil, err
	}
	out := make([]reportOut, len(rs))
	for i, rep := range rs {
		out[i] = s.reportOut(rep)
	}
	return http.StatusOK, out, nil
}

// targetHistory lists every version of the targets of a team or a rep.
func (s *Server) targetHistory(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	var f engine.TargetFilter
	if v := q.Get("team"); v != "" {
		f.Teams = []string{v}
	}
	if v := q.Get("rep_id"); v != "" {
		f.Reps = []engine.RepID{engine.RepID(v)}
	}
	ts, err := s.svc.Targets(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	out := make([]targetOut, len(ts))
	for i, t := range ts {
		out[i] = s.targetOut(t)
	}
	return http.StatusOK, out, nil
}

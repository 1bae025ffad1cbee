package dashboard

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/leadbot/leadbot/engine"
)

type targetOut struct {
	ID string `json:"id"`
	// Team is the team the target counts for: a team target's own, or
	// the team of a rep target's rep.
	Team   string    `json:"team"`
	RepID  string    `json:"rep_id,omitempty"`
	Name   string    `json:"name,omitempty"`
	Period string    `json:"period"`
	Metric string    `json:"metric"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// FirstDay and LastDay are the period's first and last dates.
	FirstDay string          `json:"first_day"`
	LastDay  string          `json:"last_day"`
	Elapsed  float64         `json:"elapsed"`
	Amount   int64           `json:"amount"`
	Done     float64         `json:"done"`
	Expect   int64           `json:"expected"`
	Share    float64         `json:"share"`
	Status   string          `json:"status"`
	Parts    []targetPartOut `json:"parts"`
}

type targetPartOut struct {
	RepID string `json:"rep_id"`
	Name  string `json:"name"`
	// Amount is the rep's part of the team's amount, or their own
	// target when OwnTarget is set.
	Amount    int64   `json:"amount"`
	OwnTarget string  `json:"own_target_id,omitempty"`
	Done      float64 `json:"done"`
	Expect    int64   `json:"expected"`
	Share     float64 `json:"share"`
	Status    string  `json:"status"`
}

// targets reports the targets in effect now, each with its progress
// in the current period and, for a team target, each rep's part: a
// team lead's team's, every team's for a manager; by team, then in the
// engine's order.
func (h *Handler) targets(r *http.Request, v Viewer) (any, error) {
	q := engine.TargetQuery{}
	if v.Role != engine.RoleManager {
		q.Team = v.Team
	}
	reports, err := h.o.Service.TargetProgress(r.Context(), q)
	if err != nil {
		return nil, err
	}
	reps, err := h.o.Service.Store().Reps(r.Context())
	if err != nil {
		return nil, err
	}
	byID := map[engine.RepID]engine.Rep{}
	for _, rep := range reps {
		byID[rep.ID] = rep
	}
	out := make([]targetOut, len(reports))
	for i, rp := range reports {
		out[i] = h.targetOut(rp, byID)
	}
	slices.SortStableFunc(out, func(a, b targetOut) int { return cmp.Compare(a.Team, b.Team) })
	return out, nil
}

func (h *Handler) targetOut(
	r engine.TargetReport,
	reps map[engine.RepID]engine.Rep,
) targetOut {
	t := r.Target
	// The days are those of the zone the engine cuts periods in.
	out := targetOut{ID: t.ID.String(), Team: t.Team, Period: string(t.Period),
		Metric: string(t.Metric), Start: r.Period.Start.In(h.o.Location),
		End:      r.Period.End.In(h.o.Location),
		FirstDay: r.Period.Start.Format(time.DateOnly),
		LastDay:  r.Period.End.AddDate(0, 0, -1).Format(time.DateOnly),
		Elapsed:  r.Elapsed, Amount: r.Amount, Done: r.Done, Expect: r.Expected,
		Share: r.Share, Status: string(r.Status), Parts: make([]targetPartOut, len(r.Parts))}
	if t.Rep != "" {
		out.RepID, out.Name, out.Team = string(t.Rep), reps[t.Rep].Name, reps[t.Rep].Team
	}
	for i, p := range r.Parts {
		out.Parts[i] = targetPartOut{RepID: string(p.Rep), Name: reps[p.Rep].Name,
			Amount: p.Amount, Done: p.Done, Expect: p.Expected, Share: p.Share,
			Status: string(p.Status)}
		if p.Own != 0 {
			out.Parts[i].OwnTarget = p.Own.String()
		}
	}
	return out
}

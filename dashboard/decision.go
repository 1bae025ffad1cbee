package dashboard

import (
	"net/http"
	"time"

	"github.com/leadbot/leadbot/engine"
)

type decisionLogOut struct {
	Lead leadOut       `json:"lead"`
	Log  []decisionOut `json:"log"`
}

type decisionOut struct {
	At         time.Time      `json:"at"`
	Strategy   string         `json:"strategy"`
	RepID      string         `json:"rep_id,omitempty"`
	RepName    string         `json:"rep_name,omitempty"`
	Reasons    []string       `json:"reasons"`
	Inputs     *inputsOut     `json:"inputs,omitempty"`
	Candidates []candidateOut `json:"candidates"`
}

type inputsOut struct {
	Score            float64  `json:"score"`
	Tier             string   `json:"tier"`
	CloseProbability *float64 `json:"close_probability"`
	ExpectedAmount   float64  `json:"expected_amount"`
	Industry         string   `json:"industry"`
	Region           string   `json:"region"`
	Mode             string   `json:"mode"`
	Roster           int      `json:"roster"`
}

type candidateOut struct {
	RepID  string    `json:"rep_id"`
	Name   string    `json:"name"`
	Score  float64   `json:"score"`
	Chosen bool      `json:"chosen"`
	Parts  []partOut `json:"parts"`
}

type partOut struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
}

// decision is a lead's decision log, newest last: why it went where it
// went and whom else the strategy weighed. A team lead sees the leads
// their team held or was weighed for, and those nobody holds.
func (h *Handler) decision(r *http.Request, v Viewer) (any, error) {
	raw := r.URL.Query().Get("lead")
	id, err := engine.ParseLeadID(raw)
	if err != nil {
		return nil, invalid("lead", "is %q; give a lead id such as L12", raw)
	}
	l, err := h.o.Service.Store().Lead(r.Context(), id)
	if err != nil {
		return nil, err
	}
	ds, err := h.o.Service.Decisions(r.Context(), id)
	if err != nil {
		return nil, err
	}
	reps, err := h.o.Service.Store().Reps(r.Context())
	if err != nil {
		return nil, err
	}
	byID := make(map[engine.RepID]engine.Rep, len(reps))
	for _, rep := range reps {
		byID[rep.ID] = rep
	}
	if !v.mayOpen(l, ds, byID) {
		return nil, &engine.Error{Kind: engine.NotFound, Code: "not_found",
			Msg: "lead " + id.String() + " is not one your team held or was weighed for"}
	}
	out := decisionLogOut{Lead: h.leadOut(l), Log: make([]decisionOut, len(ds))}
	for i, d := range ds {
		out.Log[i] = h.decisionOut(d, byID)
	}
	return out, nil
}

func (v Viewer) mayOpen(
	l engine.Lead,
	ds []engine.Decision,
	reps map[engine.RepID]engine.Rep,
) bool {
	if v.Role == engine.RoleManager || l.Assignee == "" {
		return true
	}
	ours := func(id engine.RepID) bool {
		r, ok := reps[id]
		return ok && r.Team == v.Team
	}
	if ours(l.Assignee) {
		return true
	}
	for _, d := range ds {
		if ours(d.RepID) {
			return true
		}
		for _, c := range d.Candidates {
			if ours(c.RepID) {
				return true
			}
		}
	}
	return false
}

func (h *Handler) decisionOut(d engine.Decision, reps map[engine.RepID]engine.Rep) decisionOut {
	out := decisionOut{At: d.At.In(h.o.Location), Strategy: d.Strategy, RepID: string(d.RepID),
		RepName: reps[d.RepID].Name, Reasons: d.Reasons, Candidates: []candidateOut{}}
	if out.Reasons == nil {
		out.Reasons = []string{}
	}
	if in := d.Inputs; in != nil {
		out.Inputs = &inputsOut{Score: in.Score, Tier: string(in.Tier),
			CloseProbability: in.CloseProbability, ExpectedAmount: in.ExpectedAmount,
			Industry: in.Industry, Region: in.Region, Mode: string(in.Mode), Roster: in.Roster}
	}
	for _, c := range d.Candidates {
		co := candidateOut{RepID: string(c.RepID), Name: reps[c.RepID].Name, Score: c.Score,
			Chosen: c.RepID == d.RepID, Parts: []partOut{}}
		for _, p := range c.Parts {
			co.Parts = append(co.Parts, partOut{Name: p.Name, Value: p.Value, Weight: p.Weight})
		}
		out.Candidates = append(out.Candidates, co)
	}
	return out
}

package dashboard

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// Bounds of what one request reads.
const (
	defaultDays    = 14
	maxDays        = 60
	defaultWeeks   = 8
	maxStandby     = 200
	maxSearch      = 20
	topIndustries  = 5
	profileHistory = 50_000
)

func invalid(field, format string, args ...any) error {
	return &engine.Error{Kind: engine.Invalid, Code: "invalid_param", Field: field,
		Msg: fmt.Sprintf(format, args...)}
}

// intParam reads a whole number from 1 to max, def when absent.
func intParam(r *http.Request, key string, def, max int) (int, error) {
	raw := r.URL.Query().Get(key)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		return 0, invalid(key, "is %q; give a whole number from 1 to %d", raw, max)
	}
	return n, nil
}

// sees reports whether the viewer looks after rep: a manager every rep,
// a team lead those of their own team.
func (v Viewer) sees(rep engine.Rep) bool {
	return v.Role == engine.RoleManager || rep.Team == v.Team
}

// team returns the active reps (not leads or managers) the viewer looks
// after, by id.
func (h *Handler) team(r *http.Request, v Viewer) ([]engine.Rep, error) {
	reps, err := h.o.Service.Store().Reps(r.Context())
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(reps, func(x engine.Rep) bool {
		return !x.Active || x.Role != engine.RoleRep || !v.sees(x)
	}), nil
}

type meOut struct {
	RepID   string    `json:"rep_id"`
	Name    string    `json:"name"`
	Role    string    `json:"role"`
	Team    string    `json:"team"`
	Lang    string    `json:"lang"`
	Expires time.Time `json:"expires"`
}

func (h *Handler) me(r *http.Request, v Viewer) (any, error) {
	lang := v.Language
	if lang == "" {
		lang = h.o.Lang
	}
	return meOut{RepID: string(v.ID), Name: v.Name, Role: string(v.Role), Team: v.Team,
		Lang: lang, Expires: v.Expires.In(h.o.Location)}, nil
}

// tiles reports the viewer's scope over the last week with a trend of
// weeks weekly points: the company for a manager, the team for a lead.
func (h *Handler) tiles(r *http.Request, v Viewer) (any, error) {
	if h.o.Insight == nil {
		return nil, fmt.Errorf("health metrics are not configured")
	}
	weeks, err := intParam(r, "weeks", defaultWeeks, insight.MaxTrendWeeks)
	if err != nil {
		return nil, err
	}
	now := h.o.Insight.Now()
	q := insight.Query{From: now.Add(-7 * 24 * time.Hour), To: now, Weeks: weeks}
	if v.Role != engine.RoleManager {
		q.Team = v.Team
	}
	rep, err := h.o.Insight.Health(r.Context(), q)
	if err != nil {
		return nil, err
	}
	rep = rep.In(h.o.Location)
	if q.Team == "" {
		return rep.Company, nil
	}
	for _, s := range rep.Teams {
		if s.Team == q.Team {
			return s, nil
		}
	}
	return insight.Scope{Team: q.Team, Tiles: []insight.Tile{}}, nil
}

type loadOut struct {
	Days []string  `json:"days"`
	Reps []repLoad `json:"reps"`
}

type repLoad struct {
	RepID    string `json:"rep_id"`
	Name     string `json:"name"`
	Team     string `json:"team"`
	Capacity int    `json:"capacity"`
	// Held is the leads held at the end of each day, today's as of now.
	Held []int `json:"held"`
	// Ratio is Held over Capacity, nil without a capacity.
	Ratio []*float64 `json:"ratio"`
}

// load is the heatmap: for each of the last days days, the leads each
// rep held at the end of it against the rep's capacity.
func (h *Handler) load(r *http.Request, v Viewer) (any, error) {
	days, err := intParam(r, "days", defaultDays, maxDays)
	if err != nil {
		return nil, err
	}
	reps, err := h.team(r, v)
	if err != nil {
		return nil, err
	}
	now := h.o.Clock.Now().In(h.o.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, h.o.Location)
	out := loadOut{Days: make([]string, days), Reps: make([]repLoad, len(reps))}
	for i, rep := range reps {
		out.Reps[i] = repLoad{RepID: string(rep.ID), Name: rep.Name, Team: rep.Team,
			Capacity: rep.Capacity, Held: make([]int, days), Ratio: make([]*float64, days)}
	}
	for d := range days {
		day := today.AddDate(0, 0, d-days+1)
		out.Days[d] = day.Format(time.DateOnly)
		end := day.AddDate(0, 0, 1)
		if end.After(now) {
			end = now
		}
		held, err := h.o.Source.HeldAt(r.Context(), end)
		if err != nil {
			return nil, err
		}
		for i, rep := range reps {
			n := held[rep.ID]
			out.Reps[i].Held[d] = n
			if rep.Capacity > 0 {
				ratio := float64(n) / float64(rep.Capacity)
				out.Reps[i].Ratio[d] = &ratio
			}
		}
	}
	return out, nil
}

type strengthOut struct {
	RepID      string          `json:"rep_id"`
	Name       string          `json:"name"`
	Team       string          `json:"team"`
	Overall    capabilityOut   `json:"overall"`
	Industries []capabilityOut `json:"industries"`
}

type capabilityOut struct {
	Industry   string  `json:"industry,omitempty"`
	Rate       float64 `json:"rate"`
	TeamRate   float64 `json:"team_rate"`
	Confidence float64 `json:"confidence"`
	Deals      int     `json:"deals"`
	Wins       int     `json:"wins"`
	Declared   bool    `json:"declared"`
}

func capOut(c engine.Capability) capabilityOut {
	return capabilityOut{Industry: c.Value, Rate: c.Rate, TeamRate: c.TeamRate,
		Confidence: c.Confidence, Deals: c.Deals, Wins: c.Wins, Declared: c.Declared}
}

// strengths is each rep's win rate in their top industries, from what
// the engine learned; before it has learned anything, from the closed
// deals directly.
func (h *Handler) strengths(r *http.Request, v Viewer) (any, error) {
	reps, err := h.team(r, v)
	if err != nil {
		return nil, err
	}
	var p *engine.Profiles
	if k := h.o.Service.Knowledge(); k != nil && k.Profiles != nil {
		p = k.Profiles
	} else {
		deals, err := h.o.Service.Store().Deals(r.Context(), profileHistory)
		if err != nil {
			return nil, err
		}
		all, err := h.o.Service.Store().Reps(r.Context())
		if err != nil {
			return nil, err
		}
		p = engine.BuildProfiles(deals, all, engine.ProfileOptions{})
	}
	out := make([]strengthOut, len(reps))
	for i, rep := range reps {
		s := strengthOut{RepID: string(rep.ID), Name: rep.Name, Team: rep.Team,
			Overall: capOut(p.Overall(rep)), Industries: []capabilityOut{}}
		for j, c := range p.Industries(rep) {
			if j == topIndustries {
				break
			}
			s.Industries = append(s.Industries, capOut(c))
		}
		out[i] = s
	}
	return out, nil
}

type leadOut struct {
	ID         string    `json:"id"`
	ExternalID string    `json:"external_id"`
	Company    string    `json:"company"`
	Industry   string    `json:"industry"`
	Tier       string    `json:"tier"`
	Score      float64   `json:"score"`
	Status     string    `json:"status"`
	Assignee   string    `json:"assignee,omitempty"`
	Amount     float64   `json:"expected_amount"`
	CreatedAt  time.Time `json:"created_at"`
	// AgeHours is how long ago the lead came in.
	AgeHours float64 `json:"age_hours"`
}

func (h *Handler) leadOut(l engine.Lead) leadOut {
	return leadOut{ID: l.ID.String(), ExternalID: l.ExternalID, Company: l.Company,
		Industry: l.Industry, Tier: string(l.Tier), Score: l.Score, Status: string(l.Status),
		Assignee: string(l.Assignee), Amount: l.ExpectedAmount,
		CreatedAt: l.CreatedAt.In(h.o.Location),
		AgeHours:  h.o.Clock.Now().Sub(l.CreatedAt).Hours()}
}

// standby lists the leads waiting for a rep with room, best tier first,
// then the oldest.
func (h *Handler) standby(r *http.Request, v Viewer) (any, error) {
	leads, err := h.o.Service.Store().Leads(r.Context(),
		engine.LeadFilter{Status: engine.StatusStandby, BestFirst: true, Limit: maxStandby})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(leads, func(a, b engine.Lead) int {
		if c := cmp.Compare(a.Tier, b.Tier); c != 0 {
			return c
		}
		return a.CreatedAt.Compare(b.CreatedAt)
	})
	out := make([]leadOut, len(leads))
	for i, l := range leads {
		out[i] = h.leadOut(l)
	}
	return out, nil
}

// search finds leads by id ("L12" or "12"), external id or part of the
// company name.
func (h *Handler) search(r *http.Request, v Viewer) (any, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return nil, invalid("q", "is empty; give a lead id, an external id or a company name")
	}
	var leads []engine.Lead
	if id, err := engine.ParseLeadID(q); err == nil {
		l, err := h.o.Service.Store().Lead(r.Context(), id)
		if err == nil {
			leads = append(leads, l)
		} else if engine.KindOf(err) != engine.NotFound {
			return nil, err
		}
	}
	found, err := h.o.Source.FindLeads(r.Context(), q, maxSearch)
	if err != nil {
		return nil, err
	}
	out := []leadOut{}
	for _, l := range append(leads, found...) {
		if len(out) < maxSearch && !slices.ContainsFunc(out, func(o leadOut) bool {
			return o.ID == l.ID.String()
		}) {
			out = append(out, h.leadOut(l))
		}
	}
	return out, nil
}

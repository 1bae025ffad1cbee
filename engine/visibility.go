package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// VisibilityRule is one rule of who may see and claim a pooled lead.
type VisibilityRule string

// The visibility rules. A rep sees a pooled lead when every configured
// rule lets them; VisibleAll alone lets every rep who takes leads see
// every pooled lead.
const (
	// VisibleAll restricts nothing.
	VisibleAll VisibilityRule = "all"
	// VisibleTeam shows a lead to the members of the lead's team: the
	// team its region maps to, else the team of the rep who last held
	// it. A lead with neither is shown to every team.
	VisibleTeam VisibilityRule = "team"
	// VisibleRegion shows a lead to reps who cover its region (a rep
	// with no regions covers all, and a lead with no region is
	// everyone's).
	VisibleRegion VisibilityRule = "region"
	// VisibleFit shows a lead to reps whose fit for it is at least the
	// threshold.
	VisibleFit VisibilityRule = "fit"
)

// notRoutable is why a rep who takes no leads sees no pooled lead.
const notRoutable VisibilityRule = "inactive"

// PoolVisibility is who may see and claim a pooled lead. The zero value
// applies the region rule alone.
type PoolVisibility struct {
	// Rules are combined: every one must let the rep see the lead. Empty
	// means VisibleRegion.
	Rules []VisibilityRule
	// FitAbove is the least fit, from 0 to 1, that VisibleFit accepts.
	// Fit is the rep's win rate on leads like this one, from their
	// record, set against their team's average: 0.5 is the average, and
	// a rep with no record is taken to be average.
	FitAbove float64
	// RegionTeams maps a lead's region to the team whose lead it is,
	// for VisibleTeam; regions are matched ignoring case.
	RegionTeams map[string]string
}

// ParseVisibilityRules reads rules as configuration writes them. It
// returns an Invalid error naming field for an unknown rule, or for
// "all" combined with another.
func ParseVisibilityRules(field string, names []string) ([]VisibilityRule, error) {
	var out []VisibilityRule
	for _, n := range names {
		r := VisibilityRule(strings.ToLower(strings.TrimSpace(n)))
		switch r {
		case VisibleAll, VisibleTeam, VisibleRegion, VisibleFit:
		default:
			return nil, invalid(field, "invalid_value",
				"has %q; each rule must be one of all, team, region, fit", n)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if slices.Contains(out, VisibleAll) && len(out) > 1 {
		return nil, invalid(field, "invalid_value",
			"combines all with other rules; all already shows every lead to everyone")
	}
	return out, nil
}

// Validate reports the first setting out of range, as an Invalid error
// naming it.
func (v PoolVisibility) Validate() error {
	if _, err := ParseVisibilityRules("visibility", rulesText(v.Rules)); err != nil {
		return err
	}
	if v.FitAbove < 0 || v.FitAbove > 1 {
		return invalid("fit_above", "out_of_range", "is %g, must be from 0 to 1", v.FitAbove)
	}
	return nil
}

func rulesText(rules []VisibilityRule) []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = string(r)
	}
	return out
}

func (v PoolVisibility) has(r VisibilityRule) bool {
	if len(v.Rules) == 0 {
		return r == VisibleRegion
	}
	return slices.Contains(v.Rules, r)
}

// regionTeam is the team the lead's region maps to, or "".
func (v PoolVisibility) regionTeam(region string) string {
	region = strings.TrimSpace(region)
	if region == "" {
		return ""
	}
	for k, team := range v.RegionTeams {
		if strings.EqualFold(strings.TrimSpace(k), region) {
			return team
		}
	}
	return ""
}

// fitter rates reps against leads from the latest learned knowledge. The
// service hands it every new snapshot, whatever the routing strategy.
type fitter struct{ k atomic.Pointer[Knowledge] }

// SetKnowledge swaps in a new snapshot.
func (f *fitter) SetKnowledge(k *Knowledge) { f.k.Store(k) }

// fit is the rep's fit for the lead, from 0 to 1: the rep's record on
// leads like this one as a change of log-odds against the team, mapped
// so that the team's average is 0.5.
func (f *fitter) fit(l Lead, r Rep) float64 {
	k := f.k.Load().orEmpty()
	lift, _ := k.Profiles.view(l.Profile).lift(&r)
	return sigmoid(lift)
}

// poolGate decides, for one look at the pool, which reps may see which
// pooled leads. It resolves each lead's team once.
type poolGate struct {
	s     *Service
	teams map[LeadID]string
	// zones holds the time zone rule of each lead it keeps reps from.
	zones map[LeadID]*zoneCheck
}

// newPoolGate prepares the gate for leads, with one store read for all
// of them when the team rule needs to know who last held them.
func (s *Service) newPoolGate(ctx context.Context, r Reader, leads []Lead) (*poolGate, error) {
	g := &poolGate{s: s, teams: map[LeadID]string{}, zones: s.zoneChecks(leads)}
	v := s.policy.Visibility
	if !v.has(VisibleTeam) {
		return g, nil
	}
	var ask []LeadID
	for _, l := range leads {
		if t := v.regionTeam(l.Region); t != "" {
			g.teams[l.ID] = t
		} else {
			ask = append(ask, l.ID)
		}
	}
	if len(ask) == 0 {
		return g, nil
	}
	last, err := r.LastHolders(ctx, ask)
	if err != nil {
		return nil, fmt.Errorf("find the teams of pooled leads: %w", err)
	}
	if len(last) == 0 {
		return g, nil
	}
	reps, err := r.Reps(ctx)
	if err != nil {
		return nil, err
	}
	teamOf := make(map[RepID]string, len(reps))
	for _, rep := range reps {
		teamOf[rep.ID] = rep.Team
	}
	for id, rep := range last {
		g.teams[id] = teamOf[rep]
	}
	return g, nil
}

// why returns the rule that keeps the rep from the lead, or "" when the
// rep may see and claim it. Reps who take no leads see nothing.
func (g *poolGate) why(r Rep, l Lead) VisibilityRule {
	v := g.s.policy.Visibility
	switch {
	case !Routable(r):
		return notRoutable
	case !g.zones[l.ID].fits(&r):
		return outOfHours
	case v.has(VisibleAll):
		return ""
	case v.has(VisibleRegion) && !covers(&r, l.Region):
		return VisibleRegion
	case v.has(VisibleTeam) && g.teams[l.ID] != "" &&
		!strings.EqualFold(g.teams[l.ID], r.Team):
		return VisibleTeam
	case v.has(VisibleFit) && g.s.fit.fit(l, r) < v.FitAbove:
		return VisibleFit
	}
	return ""
}

func (g *poolGate) may(r Rep, l Lead) bool { return g.why(r, l) == "" }

// MayClaim reports whether the rep may see and claim the pooled lead
// under the configured visibility rules.
func (s *Service) MayClaim(ctx context.Context, r Rep, l Lead) (bool, error) {
	g, err := s.newPoolGate(ctx, s.store, []Lead{l})
	if err != nil {
		return false, err
	}
	return g.may(r, l), nil
}

// checkVisible refuses a claim the visibility rules do not allow, with
// code "not_visible" naming the rule, or that the time zone rule does not,
// with code "out_of_hours".
func (s *Service) checkVisible(ctx context.Context, tx Tx, r Rep, l Lead) error {
	g, err := s.newPoolGate(ctx, tx, []Lead{l})
	if err != nil {
		return err
	}
	const code = "not_visible"
	switch why := g.why(r, l); why {
	case "":
		return nil
	case VisibleTeam:
		return invalid("rep_id", code, "lead %s is for team %q; rep %q is in team %q",
			l.ID, g.teams[l.ID], r.ID, r.Team)
	case VisibleRegion:
		return invalid("rep_id", code, "lead %s is in region %q, which rep %q does not cover",
			l.ID, l.Region, r.ID)
	case VisibleFit:
		return invalid("rep_id", code, "rep %q fits lead %s at %.2f, below the pool's %.2f",
			r.ID, l.ID, s.fit.fit(l, r), s.policy.Visibility.FitAbove)
	case outOfHours:
		return g.outOfHours(r, l)
	default:
		return invalid("rep_id", code, "rep %q may not see lead %s", r.ID, l.ID)
	}
}

// poolNotices tells every rep who may claim the lead that it is in the
// pool, and the group chat of each of their teams: under the team rule,
// that is the lead's team alone.
func (s *Service) poolNotices(
	ctx context.Context,
	tx Tx,
	l Lead,
	reps []Rep,
	at time.Time,
) ([]Notice, error) {
	g, err := s.newPoolGate(ctx, tx, []Lead{l})
	if err != nil {
		return nil, err
	}
	var visible []Rep
	for _, r := range reps {
		if g.may(r, l) {
			visible = append(visible, r)
		}
	}
	return poolNoticesTo(l, visible, at), nil
}

// visibleLeads lists the pooled leads f.VisibleTo may see and claim, in
// id order, page by page until f.Limit are found or the pool ends.
func (s *Service) visibleLeads(ctx context.Context, f LeadFilter) ([]Lead, error) {
	if f.Status != "" && f.Status != StatusPool {
		return nil, invalid("status", "invalid_value",
			"is %q; visible_to lists pooled leads, so status must be pool or left out", f.Status)
	}
	r, err := s.store.Rep(ctx, f.VisibleTo)
	if KindOf(err) == NotFound {
		return nil, invalid("visible_to", "unknown_rep", "no rep has id %q", f.VisibleTo)
	}
	if err != nil {
		return nil, err
	}
	f.Status, f.BestFirst = StatusPool, false
	var out []Lead
	for {
		page, err := s.store.Leads(ctx, f)
		if err != nil {
			return nil, err
		}
		g, err := s.newPoolGate(ctx, s.store, page)
		if err != nil {
			return nil, err
		}
		for _, l := range page {
			if g.may(r, l) {
				out = append(out, l)
			}
			if len(out) == f.Limit {
				return out, nil
			}
		}
		if len(page) < f.Limit {
			return out, nil
		}
		f.AfterID = page[len(page)-1].ID
	}
}

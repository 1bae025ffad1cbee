package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// NoticeHealthDigest is the weekly health digest to a team lead or a
// manager; Args carry a HealthDigest (see HealthDigestOf).
const NoticeHealthDigest NoticeKind = "health_digest"

// The most suggestions of each kind one digest makes: together they fit
// the six buttons a chat card holds.
const (
	digestGaps  = 3
	digestMoves = 3
)

// healthDigestMark is the scan mark of the weekly digest.
const healthDigestMark = "health_digest"

// HealthTile is one health metric of one scope as a digest shows it.
// The engine does not compute it: the caller's report function does.
type HealthTile struct {
	ID string `json:"id"`
	// Unit is "ratio" (0 to 1), "hours", "amount" or "count".
	Unit string `json:"unit"`
	// Value is nil when there was nothing to count.
	Value *float64 `json:"value,omitempty"`
	// Status is "healthy", "warning", "alert", "info" or "no_data".
	Status string `json:"status"`
	// Limit is the level a warning or alert tile crossed; Below says it
	// fell below it (more is better) rather than rose above it.
	Limit *float64 `json:"limit,omitempty"`
	Below bool     `json:"below,omitempty"`
	// Numerator and Denominator are the counts of a ratio.
	Numerator   *float64 `json:"numerator,omitempty"`
	Denominator *float64 `json:"denominator,omitempty"`
}

// Breached reports whether the tile is a warning or an alert.
func (t HealthTile) Breached() bool { return t.Status == "warning" || t.Status == "alert" }

// HealthScope is the tiles of the company (Team "") or of one team.
type HealthScope struct {
	Team  string       `json:"team"`
	Tiles []HealthTile `json:"tiles"`
}

// HealthReport is the health of the company and every team over a week.
type HealthReport struct {
	Company HealthScope
	Teams   []HealthScope
}

// HealthReportFunc reports the health of [from, to). It is the digest's
// one source of metrics, so that the engine computes nothing of them and
// does no I/O but through it and the store.
type HealthReportFunc func(ctx context.Context, from, to time.Time) (HealthReport, error)

// HealthDigests are the settings of the weekly health digest.
type HealthDigests struct {
	// Every is when digests fall; nil sends none.
	Every Recurrence
	// Report gives the tiles of the week before each digest.
	Report HealthReportFunc
	// Rebalance is how the suggested moves are planned.
	Rebalance RebalanceOptions
}

// TeamHeadline is one team's line in a manager's digest.
type TeamHeadline struct {
	Team     string `json:"team"`
	Alerts   int    `json:"alerts"`
	Warnings int    `json:"warnings"`
	// Worst is the team's first alert tile, else its first warning.
	Worst *HealthTile `json:"worst,omitempty"`
	// Targets counts the team's targets by status; nil when it has none.
	Targets *TargetTally `json:"targets,omitempty"`
}

// CoverageGap is an open tier A lead without an active owner at work:
// pooled, on standby, or held by an away or inactive rep (Holder).
type CoverageGap struct {
	Lead       LeadID `json:"lead"`
	Company    string `json:"company"`
	Status     Status `json:"status"`
	Holder     RepID  `json:"holder,omitempty"`
	HolderName string `json:"holder_name,omitempty"`
}

// SuggestedMove is one move of a rebalance plan, with names to show.
type SuggestedMove struct {
	Lead     LeadID `json:"lead"`
	Company  string `json:"company"`
	From     RepID  `json:"from"`
	To       RepID  `json:"to"`
	FromName string `json:"from_name"`
	ToName   string `json:"to_name"`
	Reason   string `json:"reason"`
}

// HealthDigest is one recipient's weekly digest: the tiles of their team
// (a manager: of the company, with each team's headline), the breached
// ones first, and what they could do about their team.
type HealthDigest struct {
	// At is the digest's moment; From and To the week it covers, the
	// seven days before the scan that sent it.
	At   time.Time `json:"at"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Team is the team whose tiles these are, "" for the company.
	Team  string          `json:"team"`
	Tiles []HealthTile    `json:"tiles"`
	Teams []TeamHeadline  `json:"teams,omitempty"`
	Gaps  []CoverageGap   `json:"gaps"`
	Moves []SuggestedMove `json:"moves"`
	// Targets are a team lead's team targets and their progress when
	// the digest was built (see digestTargets).
	Targets []DigestTarget `json:"targets,omitempty"`
}

// HealthDigestOf reads the digest a NoticeHealthDigest carries.
func HealthDigestOf(n Notice) (HealthDigest, error) {
	var d HealthDigest
	err := decodeArg(n, &d)
	return d, err
}

// ScanHealthDigest sends the weekly health digest of the latest moment
// of o.Every due, if no scan has sent it yet: to every active team lead
// and manager who is not away. As with checkpoints, the moment is claimed
// by a conditional write in the same transaction as the notices, each
// keyed by recipient and moment, so replicas and repeated scans send one
// digest per recipient and week, and a scan after downtime sends the
// latest missed one only. The metrics come from o.Report, the
// suggestions and the targets' progress from the store as it stands,
// carried in the notices so that a digest shows what was true when it
// was built. It returns how many notices it queued.
func (s *Service) ScanHealthDigest(ctx context.Context, o HealthDigests) (int, error) {
	if o.Every == nil || o.Report == nil {
		return 0, nil
	}
	now := s.now()
	at := LastCheckpoint(o.Every, now)
	if at.IsZero() {
		return 0, nil
	}
	// The week is the seven days up to the scan rather than up to the
	// moment: the state tiles (coverage, stalled work) exist only for a
	// period that reaches the present.
	notices, err := s.healthDigests(ctx, o, at, now.AddDate(0, 0, -7), now)
	if err != nil {
		return 0, fmt.Errorf("health digest %s: %w", at.Format(time.RFC3339), err)
	}
	sent := 0
	err = s.update(ctx, func(tx Tx, logs *logQueue) error {
		ok, err := tx.AdvanceMark(ctx, healthDigestMark, at)
		if err != nil || !ok {
			return err
		}
		sent = len(notices)
		logs.add("health digests queued", slog.Time("checkpoint", at), slog.Int("notices", sent))
		return tx.Enqueue(ctx, notices...)
	})
	if err != nil {
		return 0, fmt.Errorf("health digest %s: %w", at.Format(time.RFC3339), err)
	}
	return sent, nil
}

// healthDigests builds every recipient's digest. It reads before the
// transaction that claims the moment: the report may be slow, and the
// suggestions are checked again when someone acts on them.
func (s *Service) healthDigests(
	ctx context.Context,
	o HealthDigests,
	at, from, now time.Time,
) ([]Notice, error) {
	reps, err := s.store.Reps(ctx)
	if err != nil {
		return nil, err
	}
	var to []Rep
	for _, r := range reps {
		if r.Active && !r.Away && (r.Role == RoleManager || (r.Role == RoleLead && r.Team != "")) {
			to = append(to, r)
		}
	}
	if len(to) == 0 {
		return nil, nil
	}
	report, err := o.Report(ctx, from, now)
	if err != nil {
		return nil, fmt.Errorf("report the week: %w", err)
	}
	gaps, moves, err := s.suggestions(ctx, reps, o.Rebalance)
	if err != nil {
		return nil, err
	}
	targets, err := s.digestTargets(ctx, reps, now)
	if err != nil {
		return nil, fmt.Errorf("target progress: %w", err)
	}
	var out []Notice
	for _, r := range to {
		d := HealthDigest{At: at, From: from, To: now, Team: r.Team, Gaps: []CoverageGap{},
			Moves: []SuggestedMove{}}
		if r.Role == RoleManager {
			d.Team, d.Tiles = "", breachedFirst(report.Company.Tiles)
			d.Teams = headlines(report.Teams, targets)
		} else {
			for _, sc := range report.Teams {
				if sc.Team == r.Team {
					d.Tiles = breachedFirst(sc.Tiles)
				}
			}
			d.Targets = targets[r.Team]
		}
		if r.Team != "" {
			d.Gaps = teamGaps(gaps, r.Team)
			d.Moves = teamMoves(moves, r.Team)
		}
		key := fmt.Sprintf("%s:%s:%d", NoticeHealthDigest, r.ID, at.UnixMilli())
		out = append(out, s.digestNotice(NoticeHealthDigest, key, r, d.Team, encodeArg(d), now))
	}
	return out, nil
}

// teamGap is a coverage gap and the team it belongs to: the holder's,
// or "" for a lead nobody holds, which any team may take.
type teamGap struct {
	CoverageGap
	team string
}

type teamMove struct {
	SuggestedMove
	team string
}

// suggestions reads the open tier A leads nobody covers and plans a
// rebalance without applying it.
func (s *Service) suggestions(
	ctx context.Context,
	reps []Rep,
	o RebalanceOptions,
) ([]teamGap, []teamMove, error) {
	if err := o.Validate(); err != nil {
		return nil, nil, fmt.Errorf("rebalance options: %w", err)
	}
	if o.Lang == "" {
		o.Lang = s.policy.Lang
	}
	o = s.withZoneRule(o)
	byID := map[RepID]Rep{}
	for _, r := range reps {
		byID[r.ID] = r
	}
	var gaps []teamGap
	for _, st := range []Status{StatusPool, StatusStandby} {
		leads, err := s.store.Leads(ctx, LeadFilter{Status: st, BestFirst: true, Limit: MaxListLimit})
		if err != nil {
			return nil, nil, err
		}
		for _, l := range leads {
			if l.Tier == TierA {
				gaps = append(gaps, teamGap{CoverageGap{Lead: l.ID, Company: l.Company, Status: st}, ""})
			}
		}
	}
	held, err := s.openLeads(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range held {
		owner, ok := byID[l.Assignee]
		if l.Tier != TierA || (ok && owner.Active && !owner.Away) {
			continue
		}
		gaps = append(gaps, teamGap{CoverageGap{Lead: l.ID, Company: l.Company, Status: l.Status,
			Holder: owner.ID, HolderName: displayName(owner)}, owner.Team})
	}
	slices.SortStableFunc(gaps, func(a, b teamGap) int { return int(a.Lead - b.Lead) })

	plan := PlanRebalance(held, reps, s.knowledge(), o)
	company := map[LeadID]string{}
	for _, l := range held {
		company[l.ID] = l.Company
	}
	var moves []teamMove
	for _, m := range plan.Moves {
		from, to := byID[m.From], byID[m.To]
		moves = append(moves, teamMove{SuggestedMove{Lead: m.LeadID, Company: company[m.LeadID],
			From: m.From, To: m.To, FromName: displayName(from), ToName: displayName(to),
			Reason: m.Reason}, from.Team})
	}
	return gaps, moves, nil
}

// teamGaps are the first gaps a team's supervisor may act on: the
// leads held by the team's absent reps and those nobody holds.
func teamGaps(all []teamGap, team string) []CoverageGap {
	out := []CoverageGap{}
	for _, g := range all {
		if (g.team == "" || g.team == team) && len(out) < digestGaps {
			out = append(out, g.CoverageGap)
		}
	}
	return out
}

// teamMoves are the plan's first moves off the team's reps.
func teamMoves(all []teamMove, team string) []SuggestedMove {
	out := []SuggestedMove{}
	for _, m := range all {
		if m.team == team && len(out) < digestMoves {
			out = append(out, m.SuggestedMove)
		}
	}
	return out
}

// breachedFirst orders alerts, then warnings, then the rest, each in the
// report's order.
func breachedFirst(tiles []HealthTile) []HealthTile {
	rank := func(t HealthTile) int {
		switch t.Status {
		case "alert":
			return 0
		case "warning":
			return 1
		}
		return 2
	}
	out := slices.Clone(tiles)
	slices.SortStableFunc(out, func(a, b HealthTile) int { return rank(a) - rank(b) })
	if out == nil {
		out = []HealthTile{}
	}
	return out
}

// headlines counts each team's breached tiles and names the worst, and
// tallies the team's targets.
func headlines(teams []HealthScope, targets map[string][]DigestTarget) []TeamHeadline {
	out := []TeamHeadline{}
	for _, sc := range teams {
		h := TeamHeadline{Team: sc.Team}
		if ts := targets[sc.Team]; len(ts) > 0 {
			c := TallyTargets(ts)
			h.Targets = &c
		}
		for _, t := range breachedFirst(sc.Tiles) {
			if !t.Breached() {
				break
			}
			if h.Worst == nil {
				h.Worst = &t
			}
			if t.Status == "alert" {
				h.Alerts++
			} else {
				h.Warnings++
			}
		}
		out = append(out, h)
	}
	return out
}

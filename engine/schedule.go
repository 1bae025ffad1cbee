package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Schedule is when the scheduler chases a deadline.
type Schedule struct {
	// RemindBefore is how long before the deadline the owner is reminded.
	RemindBefore time.Duration
	// EscalateLeadAfter is how long overdue a task is when the team lead
	// is alerted; EscalateManagerAfter, when the manager is.
	EscalateLeadAfter    time.Duration
	EscalateManagerAfter time.Duration
	// Quiet is the local time of day in which nobody is pinged: alerts
	// due then wait for its end.
	Quiet QuietHours
	// LagAlert is the share, from 0 to 1, by which recorded progress may
	// trail the plan before the deadline: at that lag or more the owner
	// and the team lead are alerted early (see lag.go). 0 turns it off.
	LagAlert float64
	// ExtendBy is how far a supervisor's extension pushes a deadline when
	// it names no amount.
	ExtendBy Extension
}

// DefaultSchedule is the schedule a new installation starts with.
var DefaultSchedule = Schedule{
	RemindBefore:         24 * time.Hour,
	EscalateLeadAfter:    4 * time.Hour,
	EscalateManagerAfter: 24 * time.Hour,
	Quiet:                QuietHours{Start: 21 * 60, End: 8 * 60, On: true},
	ExtendBy:             Extension{Days: 1},
}

// QuietHours is a daily window of local time, in minutes after midnight;
// Start after End wraps past midnight (21:00-08:00).
type QuietHours struct {
	Start, End int
	On         bool
}

// ParseQuietHours reads "21:00-08:00"; "" means no quiet hours.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	start, err1 := clockMinutes(from)
	end, err2 := clockMinutes(to)
	if !ok || err1 != nil || err2 != nil || start == end {
		return QuietHours{}, fmt.Errorf(
			"quiet hours %q: want HH:MM-HH:MM such as 21:00-08:00, or empty for none",
			s,
		)
	}
	return QuietHours{Start: start, End: end, On: true}, nil
}

func clockMinutes(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("bad time of day %q", s)
	}
	return hh*60 + mm, nil
}

// NextAllowed returns t, or the end of the quiet window t falls in, in
// loc's local time.
func (q QuietHours) NextAllowed(t time.Time, loc *time.Location) time.Time {
	if !q.On {
		return t
	}
	local := t.In(loc)
	min := local.Hour()*60 + local.Minute()
	in := min >= q.Start && min < q.End
	if q.Start > q.End {
		in = min >= q.Start || min < q.End
	}
	if !in {
		return t
	}
	y, m, d := local.Date()
	end := time.Date(y, m, d, q.End/60, q.End%60, 0, 0, loc)
	if !end.After(local) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// scanBatch is how many due leads one query of a scan reads.
const scanBatch = 500

// ScanDeadlines chases the deadlines due: a reminder to the owner before
// one, then alerts as it passes, to the owner, the team lead and the
// manager in turn. What was sent is recorded on the lead in the same
// transaction as the notice, so each reminder and alert goes out once,
// whichever replica scans, and a scan after downtime sends what was
// missed. One scan pages through every lead with something due, so a
// backlog larger than a page is not starved by its first page. Someone
// who would get more than Checkpoints.AlertDigestOver of them from one
// page gets one NoticeAlertDigest listing them instead, written with the
// chasing of those leads in one transaction. It returns how many notices
// it queued.
func (s *Service) ScanDeadlines(ctx context.Context) (int, error) {
	now := s.now()
	by := s.policy.Schedule.dueBy(now)
	sent := 0
	var roster tickRoster
	for {
		leads, err := s.store.DueLeads(ctx, by, scanBatch)
		if err != nil {
			return sent, err
		}
		n, err := s.chasePage(ctx, leads, now, &roster)
		sent += n
		if err != nil {
			return sent, err
		}
		if len(leads) < scanBatch {
			break
		}
		last := leads[len(leads)-1]
		by.AfterDue, by.AfterID = *last.DueAt, last.ID
	}
	n, err := s.scanLag(ctx, now)
	return sent + n, err
}

// chasePage chases one page of due leads: one by one, but for the
// people who would get too many at once, whose leads are chased together
// under one digest.
func (s *Service) chasePage(ctx context.Context, leads []Lead, now time.Time, roster *tickRoster) (int, error) {
	folded, burst, err := s.planBurst(ctx, leads, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	var held []Lead
	for _, l := range leads {
		if burst[l.ID] {
			held = append(held, l)
			continue
		}
		n, err := s.chase(ctx, l, now, roster)
		if err != nil {
			return sent, fmt.Errorf("chase lead %s: %w", l.ID, err)
		}
		sent += n
	}
	if len(held) > 0 {
		n, err := s.chaseFolded(ctx, held, folded, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// remindAt is when the owner is reminded: RemindBefore ahead of the
// deadline or, for a deadline closer than that to the assignment,
// halfway between the two, so that nobody is reminded of a lead they were
// handed a minute ago.
func (s *Service) remindAt(l Lead) time.Time {
	at := l.DueAt.Add(-s.policy.Schedule.RemindBefore)
	if l.Decision != nil && at.Before(l.Decision.At) {
		at = l.Decision.At.Add(l.DueAt.Sub(l.Decision.At) / 2)
	}
	return at
}

// overdueTier is the alert tier a deadline has reached at now.
func (sc Schedule) overdueTier(due, now time.Time) int {
	switch late := now.Sub(due); {
	case late >= sc.EscalateManagerAfter:
		return 3
	case late >= sc.EscalateLeadAfter:
		return 2
	case late >= 0:
		return 1
	}
	return 0
}

// chaseTier is the tier a scan at now chases the lead to (0 for the
// reminder), and whether anything about it is due.
func (s *Service) chaseTier(l Lead, now time.Time) (int, bool) {
	if l.DueAt == nil {
		return 0, false
	}
	tier := s.policy.Schedule.overdueTier(*l.DueAt, now)
	if _, lagging := s.lagBehind(l, now); lagging {
		tier = max(tier, 2)
	}
	if tier <= l.AlertTier && (tier > 0 || l.Reminded || now.Before(s.remindAt(l))) {
		return 0, false
	}
	return tier, true
}

func (s *Service) chase(
	ctx context.Context,
	l Lead,
	now time.Time,
	roster *tickRoster,
) (int, error) {
	tier, ok := s.chaseTier(l, now)
	if !ok {
		return 0, nil
	}
	due := *l.DueAt
	lag, lagging := s.lagBehind(l, now)
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		ok, err := tx.MarkChased(ctx, l.ID, due, tier)
		if err != nil || !ok {
			return err
		}
		notices, err := s.chaseNotices(ctx, tx, l, tier, now, roster)
		if err != nil {
			return err
		}
		if lagging {
			notices = lag.annotate(notices)
		}
		n = len(notices)
		ev := s.chaseEvent(l, tier, now)
		if lagging {
			ev.Detail = s.policy.Lang.say(msgLagAlert, lag.progress, lag.planned)
		}
		if err := tx.AppendEvents(ctx, ev); err != nil {
			return err
		}
		logs.add(
			"deadline chased",
			slog.String("lead_id", l.ID.String()),
			slog.String("rep_id", string(l.Assignee)),
			slog.Int("tier", tier),
			slog.Int("notices", n),
		)
		return tx.Enqueue(ctx, notices...)
	})
	return n, err
}

// chaseEvent is the history line of a reminder or an alert.
func (s *Service) chaseEvent(l Lead, tier int, now time.Time) LeadEvent {
	ev := LeadEvent{
		LeadID: l.ID,
		At:     now,
		Event:  EventReminded,
		Actor:  ActorEngine,
		RepID:  l.Assignee,
		Detail: s.policy.Lang.say(msgDue, l.DueAt.UTC().Format(time.RFC3339)),
	}
	if tier > 0 {
		ev.Event, ev.Detail = EventAlerted, s.policy.Lang.say(msgOverdueTier, tier)
	}
	return ev
}

// chaseNotices builds the reminder, or the alerts of every tier from the
// one last sent up to tier, each to its audience in its quiet-hour-free
// local time.
func (s *Service) chaseNotices(
	ctx context.Context,
	tx Tx,
	l Lead,
	tier int,
	now time.Time,
	roster *tickRoster,
) ([]Notice, error) {
	owner, err := tx.Rep(ctx, l.Assignee)
	if err != nil {
		return nil, err
	}
	var reps []Rep
	if tier > 1 {
		// Only the higher tiers look for the team's leads and managers.
		if reps, err = roster.get(ctx, tx); err != nil {
			return nil, err
		}
	}
	var out []Notice
	for _, c := range chaseTargets(l, tier, owner, reps) {
		out = append(out, s.chaseNotice(c.kind(), c.text(), l, c.to, now))
	}
	return out, nil
}

// chaseTarget is one person a reminder (tier 0) or an alert goes to.
type chaseTarget struct {
	tier int
	to   Rep
}

func (c chaseTarget) kind() NoticeKind {
	if c.tier == 0 {
		return NoticeReminder
	}
	return NoticeAlert
}

func (c chaseTarget) text() string {
	if c.tier == 0 {
		return ""
	}
	return strconv.Itoa(c.tier)
}

// chaseTargets is whom a chase of the lead up to tier tells: the owner
// of the reminder, or the audience of every tier from the one last sent.
func chaseTargets(l Lead, tier int, owner Rep, reps []Rep) []chaseTarget {
	if tier == 0 {
		return []chaseTarget{{0, owner}}
	}
	var out []chaseTarget
	for t := l.AlertTier + 1; t <= tier; t++ {
		for _, to := range alertAudience(t, owner, reps) {
			out = append(out, chaseTarget{t, to})
		}
	}
	return out
}

func (s *Service) chaseNotice(kind NoticeKind, tier string, l Lead, to Rep, now time.Time) Notice {
	loc := time.UTC
	if z, err := time.LoadLocation(to.Timezone); err == nil && to.Timezone != "" {
		loc = z
	}
	key := fmt.Sprintf("%s:%s:%s:%s:%d", kind, tier, l.ID, to.ID, l.DueAt.UnixMilli())
	return Notice{Key: key, Kind: kind, LeadID: l.ID, To: to.ID, Text: tier, At: now,
		NotBefore: s.policy.Schedule.Quiet.NextAllowed(now, loc)}
}

// alertAudience is whom an overdue alert of a tier goes to: the owner;
// the team's leads; the team's managers. A team without leads sends the
// second tier to its managers.
func alertAudience(tier int, owner Rep, reps []Rep) []Rep {
	if tier == 1 {
		return []Rep{owner}
	}
	pick := func(role Role) []Rep {
		var out []Rep
		for _, r := range reps {
			if r.Role == role && r.Active && r.Team != "" && r.Team == owner.Team {
				out = append(out, r)
			}
		}
		return out
	}
	if tier == 2 {
		if leads := pick(RoleLead); len(leads) > 0 {
			return leads
		}
	}
	return pick(RoleManager)
}

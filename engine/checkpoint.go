package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Recurrence tells when a repeating moment next comes strictly after t,
// or the zero time when it never does. A parsed cron spec is one.
type Recurrence interface {
	Next(t time.Time) time.Time
}

// Checkpoints are the periodic reviews of open work: progress digests at
// each checkpoint, alerts on work left untouched, and the folding of a
// burst of missed reminders into one digest.
type Checkpoints struct {
	// Every is when checkpoints fall, in the time zone it was parsed
	// for; nil sends no digests.
	Every Recurrence
	// Zone is the installation's time zone: quiet hours of team group
	// chats and of people without a zone of their own. Nil is UTC.
	Zone *time.Location
	// UntouchedAfter and UntouchedCount: a rep holding UntouchedCount
	// or more assigned leads without a follow-up for UntouchedAfter
	// alerts the team lead. Zero in either turns the alert off.
	UntouchedAfter time.Duration
	UntouchedCount int
	// AlertDigestOver: when one deadline scan has more than this many
	// reminders and alerts for one person, they get one digest instead;
	// 0 never folds.
	AlertDigestOver int
}

// checkpointLookback is how far back the latest checkpoint is looked
// for: a spec that falls less often than yearly has none.
const checkpointLookback = 366 * 24 * time.Hour

// digestTasks is how many tasks a rep's digest lists; its counts cover
// them all.
const digestTasks = 20

// dueSoonWindow is what a digest counts as due next: the coming week.
const dueSoonWindow = 7 * 24 * time.Hour

// LastCheckpoint returns the latest moment of r at or before t, or the
// zero time when there is none in the past year.
func LastCheckpoint(r Recurrence, t time.Time) time.Time {
	for w := time.Hour; ; w *= 2 {
		w = min(w, checkpointLookback)
		n := r.Next(t.Add(-w))
		if !n.IsZero() && !n.After(t) {
			for {
				m := r.Next(n)
				if m.IsZero() || m.After(t) {
					return n
				}
				n = m
			}
		}
		if w == checkpointLookback {
			return time.Time{}
		}
	}
}

// DigestTask is one open task in a rep's digest.
type DigestTask struct {
	Lead     LeadID     `json:"lead"`
	Company  string     `json:"company"`
	Progress int        `json:"progress"`
	DueAt    *time.Time `json:"due_at,omitempty"`
	Overdue  bool       `json:"overdue,omitempty"`
}

// RepDigest is a rep's progress at a checkpoint: the open tasks as the
// scan found them, and the ones closed in the period since the previous
// checkpoint.
type RepDigest struct {
	Rep   RepID     `json:"rep"`
	At    time.Time `json:"at"`
	Since time.Time `json:"since"`
	Open  int       `json:"open"`
	// Overdue counts open tasks past their deadline; DueSoon those due
	// in the coming week.
	Overdue   int `json:"overdue"`
	DueSoon   int `json:"due_soon"`
	Completed int `json:"completed"`
	Won       int `json:"won"`
	// Progress is the average progress of the open tasks, rounded down.
	Progress int `json:"progress"`
	// Tasks lists up to 20 open tasks: the overdue first, then by
	// deadline, those without one last.
	Tasks []DigestTask `json:"tasks"`
}

// MemberDigest is one rep's line in a team digest; Progress is the
// average progress of their open tasks.
type MemberDigest struct {
	Rep       RepID  `json:"rep"`
	Name      string `json:"name"`
	Open      int    `json:"open"`
	Overdue   int    `json:"overdue"`
	Progress  int    `json:"progress"`
	Completed int    `json:"completed"`
}

// TeamDigest is a team's progress at a checkpoint, member by member.
type TeamDigest struct {
	Team    string         `json:"team"`
	At      time.Time      `json:"at"`
	Since   time.Time      `json:"since"`
	Members []MemberDigest `json:"members"`
}

// digestArg is the Args key under which digest notices carry their
// content as JSON.
const digestArg = "digest"

// RepDigestOf reads the digest a NoticeCheckpoint carries.
func RepDigestOf(n Notice) (RepDigest, error) {
	var d RepDigest
	err := decodeArg(n, &d)
	return d, err
}

// TeamDigestOf reads the digest a NoticeTeamCheckpoint carries.
func TeamDigestOf(n Notice) (TeamDigest, error) {
	var d TeamDigest
	err := decodeArg(n, &d)
	return d, err
}

func decodeArg(n Notice, v any) error {
	s, ok := n.Args[digestArg]
	if !ok {
		return fmt.Errorf("notice %s carries no digest", n.Key)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("notice %s: read digest: %w", n.Key, err)
	}
	return nil
}

func encodeArg(v any) map[string]string {
	b, _ := json.Marshal(v) // plain structs of strings, numbers and times
	return map[string]string{digestArg: string(b)}
}

// ScanCheckpoint sends the digests of the latest checkpoint due, if no
// scan has sent them yet: one to every rep with open or completed work,
// and one per team to its leads, its managers and its group chat. The
// checkpoint is claimed by a conditional write in the same transaction
// as the notices, and each notice is keyed by its recipient and the
// checkpoint, so replicas and repeated scans send each digest once. A
// scan after downtime sends the latest missed checkpoint only. The
// figures are the database's at the time of the scan. It returns how
// many notices it queued.
func (s *Service) ScanCheckpoint(ctx context.Context) (int, error) {
	every := s.policy.Checkpoints.Every
	if every == nil {
		return 0, nil
	}
	now := s.now()
	at := LastCheckpoint(every, now)
	if at.IsZero() {
		return 0, nil
	}
	since := LastCheckpoint(every, at.Add(-time.Millisecond))
	if since.IsZero() {
		since = at.AddDate(0, 0, -7)
	}
	var n int
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		ok, err := tx.AdvanceMark(ctx, "checkpoint", at)
		if err != nil || !ok {
			return err
		}
		notices, err := s.checkpointNotices(ctx, tx, at, since, now)
		if err != nil {
			return err
		}
		n = len(notices)
		logs.add(
			"checkpoint digests queued",
			slog.Time("checkpoint", at),
			slog.Int("notices", n),
		)
		return tx.Enqueue(ctx, notices...)
	})
	if err != nil {
		return 0, fmt.Errorf("checkpoint %s: %w", at.Format(time.RFC3339), err)
	}
	return n, nil
}

func (s *Service) checkpointNotices(
	ctx context.Context,
	tx Tx,
	at, since, now time.Time,
) ([]Notice, error) {
	reps, err := tx.Reps(ctx)
	if err != nil {
		return nil, err
	}
	digests, err := repDigests(ctx, tx, at, since, now)
	if err != nil {
		return nil, err
	}
	var out []Notice
	for _, r := range reps {
		d, ok := digests[r.ID]
		if !ok || !r.Active || r.Away {
			continue
		}
		key := fmt.Sprintf("%s:%s:%d", NoticeCheckpoint, r.ID, at.UnixMilli())
		out = append(out, s.digestNotice(NoticeCheckpoint, key, r, "", encodeArg(d), now))
	}
	for _, td := range teamDigests(reps, digests, at, since) {
		args := encodeArg(td)
		for _, to := range teamAudience(td.Team, reps) {
			key := fmt.Sprintf("%s:%s:%s:%d", NoticeTeamCheckpoint, td.Team, to.ID, at.UnixMilli())
			out = append(out, s.digestNotice(NoticeTeamCheckpoint, key, to, td.Team, args, now))
		}
		// The group's key names it as the team's pool notices do, so no
		// rep id can take its place.
		group := Rep{ID: RepID("team:" + td.Team)}
		key := fmt.Sprintf("%s:%s:%s:%d", NoticeTeamCheckpoint, td.Team, group.ID, at.UnixMilli())
		n := s.digestNotice(NoticeTeamCheckpoint, key, group, td.Team, args, now)
		n.To = ""
		out = append(out, n)
	}
	return out, nil
}

// digestNotice is a notice to one person (or, with To cleared, a team's
// group) out of their quiet hours.
func (s *Service) digestNotice(
	kind NoticeKind,
	key string,
	to Rep,
	text string,
	args map[string]string,
	now time.Time,
) Notice {
	return Notice{Key: key, Kind: kind, To: to.ID, Text: text, Args: args, At: now,
		NotBefore: s.policy.Schedule.Quiet.NextAllowed(now, s.zoneOf(to))}
}

// zoneOf is the rep's own time zone, or the installation's.
func (s *Service) zoneOf(r Rep) *time.Location {
	if r.Timezone != "" {
		if z, err := time.LoadLocation(r.Timezone); err == nil {
			return z
		}
	}
	if z := s.policy.Checkpoints.Zone; z != nil {
		return z
	}
	return time.UTC
}

// repDigests reads every assigned lead and every lead closed in the
// period, and sums them up per rep.
func repDigests(
	ctx context.Context,
	tx Tx,
	at, since, now time.Time,
) (map[RepID]*RepDigest, error) {
	out := map[RepID]*RepDigest{}
	get := func(id RepID) *RepDigest {
		if out[id] == nil {
			out[id] = &RepDigest{Rep: id, At: at, Since: since, Tasks: []DigestTask{}}
		}
		return out[id]
	}
	tasks := map[RepID][]DigestTask{}
	progress := map[RepID]int{}
	f := LeadFilter{Status: StatusAssigned, Limit: scanBatch}
	for {
		leads, err := tx.Leads(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, l := range leads {
			d := get(l.Assignee)
			t := DigestTask{Lead: l.ID, Company: l.Company, Progress: l.Progress, DueAt: l.DueAt}
			d.Open++
			progress[l.Assignee] += l.Progress
			if l.DueAt != nil && l.DueAt.Before(now) {
				t.Overdue = true
				d.Overdue++
			} else if l.DueAt != nil && l.DueAt.Before(now.Add(dueSoonWindow)) {
				d.DueSoon++
			}
			tasks[l.Assignee] = append(tasks[l.Assignee], t)
		}
		if len(leads) < f.Limit {
			break
		}
		f.AfterID = leads[len(leads)-1].ID
	}
	closed, err := closedBetween(ctx, tx, since, at)
	if err != nil {
		return nil, err
	}
	for _, l := range closed {
		d := get(l.Assignee)
		d.Completed++
		if l.Status == StatusWon {
			d.Won++
		}
	}
	for id, ts := range tasks {
		slices.SortStableFunc(ts, compareTasks)
		out[id].Tasks = ts[:min(len(ts), digestTasks)]
		out[id].Progress = progress[id] / len(ts)
	}
	return out, nil
}

func closedBetween(ctx context.Context, tx Tx, since, until time.Time) ([]Lead, error) {
	var out []Lead
	var after LeadID
	for {
		leads, err := tx.ClosedLeads(ctx, since, until, after, scanBatch)
		if err != nil {
			return nil, err
		}
		for _, l := range leads {
			if l.Assignee != "" {
				out = append(out, l)
			}
		}
		if len(leads) < scanBatch {
			return out, nil
		}
		after = leads[len(leads)-1].ID
	}
}

// compareTasks orders the overdue first, then by deadline, then those
// without one; the lead id breaks ties.
func compareTasks(a, b DigestTask) int {
	if a.Overdue != b.Overdue {
		if a.Overdue {
			return -1
		}
		return 1
	}
	switch {
	case a.DueAt != nil && b.DueAt != nil:
		if c := a.DueAt.Compare(*b.DueAt); c != 0 {
			return c
		}
	case a.DueAt != nil:
		return -1
	case b.DueAt != nil:
		return 1
	}
	return cmp.Compare(a.Lead, b.Lead)
}

// teamDigests has a line for every active member of each team who is not
// a manager (and for an inactive one who still had work), for the teams
// where someone had work.
func teamDigests(
	reps []Rep,
	digests map[RepID]*RepDigest,
	at, since time.Time,
) []TeamDigest {
	byTeam := map[string]*TeamDigest{}
	var teams []string
	busy := map[string]bool{}
	for _, r := range reps {
		if r.Team == "" || r.Role == RoleManager || (!r.Active && digests[r.ID] == nil) {
			continue
		}
		td := byTeam[r.Team]
		if td == nil {
			td = &TeamDigest{Team: r.Team, At: at, Since: since}
			byTeam[r.Team] = td
			teams = append(teams, r.Team)
		}
		m := MemberDigest{Rep: r.ID, Name: displayName(r)}
		if d := digests[r.ID]; d != nil {
			busy[r.Team] = true
			m.Open, m.Overdue, m.Completed = d.Open, d.Overdue, d.Completed
			m.Progress = d.Progress
		}
		td.Members = append(td.Members, m)
	}
	slices.Sort(teams)
	var out []TeamDigest
	for _, t := range teams {
		if busy[t] {
			out = append(out, *byTeam[t])
		}
	}
	return out
}

// teamAudience is who gets a team's digest: its active leads and
// managers who are not away.
func teamAudience(team string, reps []Rep) []Rep {
	var out []Rep
	for _, r := range reps {
		if r.Team == team && r.Active && !r.Away &&
			(r.Role == RoleLead || r.Role == RoleManager) {
			out = append(out, r)
		}
	}
	return out
}

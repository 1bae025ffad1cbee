package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// digestLines is how many tasks, members or alerts a digest card shows
// as lines of its own; the counts cover the rest.
const digestLines = 20

// isDigest reports whether a notice kind carries its content, rather
// than pointing at one lead.
func isDigest(k engine.NoticeKind) bool {
	switch k {
	case engine.NoticeCheckpoint, engine.NoticeTeamCheckpoint, engine.NoticeAlertDigest,
		engine.NoticeHealthDigest:
		return true
	}
	return false
}

// digestMessage draws a digest notice for its recipient: a card of
// read-only lines, marked so that no channel folds it into another.
func (r *Renderer) digestMessage(
	ctx context.Context,
	n engine.Notice,
	to engine.Rep,
) (Message, error) {
	var c *Card
	var text string
	switch n.Kind {
	case engine.NoticeHealthDigest:
		d, err := engine.HealthDigestOf(n)
		if err != nil {
			return Message{}, err
		}
		text, c = r.healthDigestCard(d, to)
	case engine.NoticeCheckpoint:
		d, err := engine.RepDigestOf(n)
		if err != nil {
			return Message{}, err
		}
		c = r.repDigestCard(d, to)
	case engine.NoticeTeamCheckpoint:
		d, err := engine.TeamDigestOf(n)
		if err != nil {
			return Message{}, err
		}
		c = r.teamDigestCard(d, r.Lang(to), r.zone(to))
	default:
		items, total, err := engine.AlertItemsOf(n)
		if err != nil {
			return Message{}, err
		}
		c = r.alertDigestCard(ctx, items, total, to)
	}
	c.Key = n.Key
	return Message{Text: text, Card: c, Digest: true}, nil
}

// repDigestCard shows a rep's counts, then their open tasks, the overdue
// first.
func (r *Renderer) repDigestCard(d engine.RepDigest, to engine.Rep) *Card {
	lang, loc := r.Lang(to), r.zone(to)
	t := func(key string, args i18n.Args) string { return i18n.T(lang, key, args) }
	c := &Card{
		Title: t("digest.rep.title", i18n.Args{"date": d.At.In(loc).Format("01-02 15:04")}),
		Fields: []Field{
			{t("digest.field.open", nil), fmt.Sprint(d.Open)},
			{t("digest.field.overdue", nil), fmt.Sprint(d.Overdue)},
			{t("digest.field.due_soon", nil), fmt.Sprint(d.DueSoon)},
			{t("digest.field.progress", nil), fmt.Sprintf("%d%%", d.Progress)},
			{t("digest.field.completed", nil),
				t("digest.completed", i18n.Args{"count": d.Completed, "won": d.Won})},
		},
	}
	now := r.clock.Now()
	for _, task := range d.Tasks[:min(len(d.Tasks), digestLines)] {
		args := i18n.Args{"percent": task.Progress}
		key := "digest.task.no_due"
		if task.DueAt != nil {
			key = "digest.task.due"
			args["due"] = task.DueAt.In(loc).Format("01-02 15:04")
			// Overdue as the counts above were taken, late by now.
			if task.Overdue {
				key = "digest.task.overdue"
				args["overdue"] = overdueText(now.Sub(*task.DueAt), lang)
			}
		}
		c.Fields = append(c.Fields, Field{task.Lead.String() + " " + task.Company, t(key, args)})
	}
	var note []string
	if more := d.Open - min(len(d.Tasks), digestLines); more > 0 {
		note = append(note, t("digest.more", i18n.Args{"count": more}))
	}
	note = append(note, period(d.Since, d.At, lang, loc))
	c.Note = strings.Join(note, "\n")
	return c
}

func period(since, at time.Time, lang i18n.Lang, loc *time.Location) string {
	return i18n.T(lang, "digest.period", i18n.Args{
		"since": since.In(loc).Format("01-02 15:04"),
		"at":    at.In(loc).Format("01-02 15:04"),
	})
}

// teamDigestCard has a line per member: open, overdue, progress and what
// they closed in the period.
func (r *Renderer) teamDigestCard(d engine.TeamDigest, lang i18n.Lang, loc *time.Location) *Card {
	c := &Card{Title: i18n.T(lang, "digest.team.title", i18n.Args{"team": d.Team,
		"date": d.At.In(loc).Format("01-02 15:04")})}
	for _, m := range d.Members[:min(len(d.Members), digestLines)] {
		line := i18n.T(lang, "digest.team.member", i18n.Args{"open": m.Open,
			"overdue": m.Overdue, "percent": m.Progress, "completed": m.Completed})
		c.Fields = append(c.Fields, Field{m.Name, line})
	}
	var note []string
	if more := len(d.Members) - digestLines; more > 0 {
		note = append(note, i18n.T(lang, "digest.alerts.more", i18n.Args{"count": more}))
	}
	c.Note = strings.Join(append(note, period(d.Since, d.At, lang, loc)), "\n")
	return c
}

// alertDigestCard lists reminders and alerts that came due at once, one
// line per lead and tier, by how late each is now.
func (r *Renderer) alertDigestCard(
	ctx context.Context,
	items []engine.AlertItem,
	total int,
	to engine.Rep,
) *Card {
	lang, loc := r.Lang(to), r.zone(to)
	c := &Card{Title: i18n.T(lang, "digest.alerts.title", i18n.Args{"count": total})}
	now := r.clock.Now()
	for _, it := range items[:min(len(items), digestLines)] {
		args := i18n.Args{"due": it.DueAt.In(loc).Format("01-02 15:04"),
			"overdue": overdueText(now.Sub(it.DueAt), lang), "owner": r.name(ctx, it.Owner)}
		key := [...]string{"digest.alert.reminder", "digest.alert.owner",
			"digest.alert.lead", "digest.alert.manager"}[min(max(it.Tier, 0), 3)]
		label := it.Lead.String() + " " + it.Company
		c.Fields = append(c.Fields, Field{label, i18n.T(lang, key, args)})
	}
	var note []string
	if more := total - min(len(items), digestLines); more > 0 {
		note = append(note, i18n.T(lang, "digest.alerts.more", i18n.Args{"count": more}))
	}
	c.Note = strings.Join(append(note, i18n.T(lang, "digest.alerts.hint", nil)), "\n")
	return c
}

// teamDigestText writes a team's digest for its group chat, in the
// installation's language and time zone.
func (r *Renderer) teamDigestText(n engine.Notice) (string, error) {
	d, err := engine.TeamDigestOf(n)
	if err != nil {
		return "", err
	}
	c := r.teamDigestCard(d, r.lang, r.loc)
	lines := []string{c.Title}
	for _, f := range c.Fields {
		lines = append(lines, f.Label+": "+f.Value)
	}
	return strings.Join(append(lines, c.Note), "\n"), nil
}

package bot

import (
	"context"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// followUpCard draws a cadence nudge, a long-silence alert or a
// milestone reminder or alert: the lead's card as it stands, titled for
// what is due, with a text saying what to do.
func (r *Renderer) followUpCard(
	ctx context.Context,
	l engine.Lead,
	n engine.Notice,
	to engine.Rep,
) (Message, error) {
	c, err := r.LeadCard(ctx, l, to)
	if err != nil {
		return Message{}, err
	}
	lang := r.Lang(to)
	args := i18n.Args{"lead": l.ID.String(), "company": l.Company, "percent": l.Progress,
		"owner": r.name(ctx, l.Assignee), "per_week": n.Args["per_week"], "days": n.Args["days"],
		"last": r.localTime(n.Args["last"], to), "due": r.localTime(n.Args["due"], to),
		"milestone": i18n.T(lang, "milestone.kind."+n.Text, nil),
		"word":      i18n.T(lang, "milestone.word."+n.Text, nil), "target": "-"}
	if l.TargetClose != nil {
		args["target"] = l.TargetClose.Format(time.DateOnly)
	}
	var title, body string
	switch n.Kind {
	case engine.NoticeCadence:
		title, body = "cadence.title", "cadence.body"
	case engine.NoticeSilence:
		title, body = "silence.lead.title", "silence.body"
		if l.Assignee == to.ID {
			title = "silence.owner.title"
		}
	default:
		title, body = "milestone.remind.title", "milestone.body"
		if n.Args["stage"] == "overdue" {
			title = "milestone.overdue.title"
		}
		if r.milestoneDone(ctx, l.ID, engine.MilestoneKind(n.Text)) {
			c.Closed, c.State, c.Buttons = true, i18n.T(lang, "card.state.milestone_done", nil), nil
		}
	}
	c.Key = string(n.Kind) + ":" + c.Key + ":" + n.Text
	c.Title = i18n.T(lang, title, args)
	return Message{Text: i18n.T(lang, body, args), Card: c}, nil
}

// localTime writes an RFC 3339 time from a notice in the viewer's zone.
func (r *Renderer) localTime(s string, to engine.Rep) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "-"
	}
	return t.In(r.zone(to)).Format("01-02 15:04")
}

func (r *Renderer) milestoneDone(
	ctx context.Context,
	id engine.LeadID,
	kind engine.MilestoneKind,
) bool {
	ms, err := r.src.Milestones(ctx, id)
	if err != nil {
		return false
	}
	for _, m := range ms {
		if m.Kind == kind {
			return m.Status == engine.MilestoneDone
		}
	}
	return false
}

// planFields are the card fields of a lead's target close date and its
// next open milestone, for its owner.
func (r *Renderer) planFields(ctx context.Context, l engine.Lead, lang i18n.Lang) []Field {
	if l.TargetClose == nil {
		return nil
	}
	f := func(key string, v string) Field {
		return Field{Label: i18n.T(lang, "card.field."+key, nil), Value: v}
	}
	fields := []Field{f("target", l.TargetClose.Format(time.DateOnly))}
	ms, err := r.src.Milestones(ctx, l.ID)
	if err != nil {
		return fields
	}
	for _, m := range ms {
		if m.Status == engine.MilestoneOpen {
			return append(fields, f("milestone", i18n.T(lang, "card.milestone_next", i18n.Args{
				"milestone": i18n.T(lang, "milestone.kind."+string(m.Kind), nil),
				"date":      m.Date.Format(time.DateOnly),
			})))
		}
	}
	return fields
}

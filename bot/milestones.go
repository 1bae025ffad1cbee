package bot

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/command"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// planFailureKeys maps the engine codes of setting a target and
// finishing a milestone to the catalogue, before the general ones.
var planFailureKeys = map[string]string{
	"in_past":             "target.in_past",
	"out_of_range":        "target.too_far",
	"milestone_not_found": "milestone.none",
	"milestone_done":      "milestone.already_done",
}

// plan carries out the target and milestone commands.
func (c *Core) plan(ctx context.Context, in Inbound, cmd command.Command, lang i18n.Lang) Reply {
	me := in.User
	var err error
	var l engine.Lead
	args := i18n.Args{"lead": cmd.Lead.String(), "date": cmd.Date.Format(time.DateOnly),
		"milestone": i18n.T(lang, "milestone.kind."+string(cmd.Milestone), nil)}
	key := "milestone.ok"
	if cmd.Verb == command.Target {
		key = "target.ok"
		l, err = c.svc.SetTarget(ctx, cmd.Lead, cmd.Date, engine.Actor(me.ID))
	} else {
		_, err = c.svc.CompleteMilestone(ctx, cmd.Lead, cmd.Milestone, engine.Actor(me.ID))
		if err == nil {
			l, err = c.svc.Lead(ctx, cmd.Lead)
		}
	}
	if k, ok := planFailureKeys[engine.CodeOf(err)]; ok {
		return Reply{Text: i18n.T(lang, k, args)}
	}
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, false)
	}
	c.log.Info(
		"chat command",
		slog.String("platform", in.Platform),
		slog.String("rep_id", string(me.ID)),
		slog.String("command", string(cmd.Verb)),
		slog.String("lead_id", cmd.Lead.String()),
	)
	ms, err := c.svc.Milestones(ctx, l.ID)
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, false)
	}
	args["milestones"] = strings.Join(c.render.milestoneLines(ms, lang), "\n")
	card, _ := c.render.LeadCard(ctx, l, me)
	return Reply{Text: i18n.T(lang, key, args), Card: card}
}

// milestoneLines writes one line per milestone: what, when, where it
// stands.
func (r *Renderer) milestoneLines(ms []engine.Milestone, lang i18n.Lang) []string {
	var lines []string
	now := r.clock.Now()
	for _, m := range ms {
		status := "open"
		switch {
		case m.Status == engine.MilestoneDone:
			status = "done"
		case !now.Before(m.DueAt):
			status = "overdue"
		}
		args := i18n.Args{"milestone": i18n.T(lang, "milestone.kind."+string(m.Kind), nil),
			"date":   m.Date.Format(time.DateOnly),
			"status": i18n.T(lang, "milestone.status."+status, nil)}
		key := "milestone.line"
		if m.Moved && m.Status != engine.MilestoneDone {
			key = "milestone.line_moved"
		}
		lines = append(lines, i18n.T(lang, key, args))
	}
	return lines
}

// planLines are the target and milestone lines of a lead's details.
func (c *Core) planLines(
	ctx context.Context,
	l engine.Lead,
	me engine.Rep,
	lang i18n.Lang,
) []string {
	if l.TargetClose == nil {
		return nil
	}
	lines := []string{i18n.T(lang, "show.target",
		i18n.Args{"date": l.TargetClose.Format(time.DateOnly)})}
	ms, err := c.svc.Milestones(ctx, l.ID)
	if err != nil || len(ms) == 0 {
		return lines
	}
	lines = append(lines, i18n.T(lang, "show.milestones", nil))
	for _, line := range c.render.milestoneLines(ms, lang) {
		lines = append(lines, "  "+line)
	}
	return lines
}

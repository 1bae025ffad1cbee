package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/leadbot/leadbot/bot/command"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// setQuota sets the team's or rep's target a lead or manager typed, and
// answers with the new version and its breakdown in the current period.
func (c *Core) setQuota(ctx context.Context, in Inbound, g command.Goal, lang i18n.Lang) Reply {
	me := in.User
	input := engine.TargetInput{Team: g.Team, Period: g.Period, Metric: g.Metric,
		Amount: g.Amount, Split: g.Split}
	scope := i18n.T(lang, "setquota.scope.team", i18n.Args{"team": g.Team})
	team := g.Team
	if g.Rep != "" {
		r, ok, err := c.findRep(ctx, g.Rep)
		if err != nil {
			return c.failure(ctx, me, 0, err, lang, false)
		}
		if !ok {
			return Reply{Text: i18n.T(lang, "setquota.no_rep", i18n.Args{"name": g.Rep})}
		}
		input.Rep, scope, team = r.ID, r.Name, r.Team
	}

	t, err := c.svc.PutTarget(ctx, input, me.ID)
	if err != nil {
		return c.targetRefused(ctx, me, err, team, lang)
	}
	c.log.Info("chat command", slog.String("platform", in.Platform),
		slog.String("rep_id", string(me.ID)), slog.String("command", "set_quota"),
		slog.String("target_id", t.ID.String()))

	args := i18n.Args{"scope": scope, "version": t.ID.String(), "amount": t.Amount,
		"period": i18n.T(lang, "setquota.period."+string(t.Period), nil),
		"metric": i18n.T(lang, "quota.metric."+string(t.Metric), nil)}
	if t.Amount == 0 {
		return Reply{Text: i18n.T(lang, "setquota.ended", args)}
	}
	lines := []string{i18n.T(lang, "setquota.ok", args)}
	more, err := c.breakdown(ctx, t, lang)
	if err != nil {
		// The target is set; only its breakdown is missing from the reply.
		c.log.Error("target breakdown failed", slog.String("target_id", t.ID.String()),
			slog.Any("err", err))
	}
	return Reply{Text: strings.Join(append(lines, more...), "\n")}
}

// breakdown renders the parts of target t in the current period: every
// rep's share of a team target, or the rep's own target.
func (c *Core) breakdown(ctx context.Context, t engine.Target, lang i18n.Lang) ([]string, error) {
	rs, err := c.svc.TargetProgress(ctx, engine.TargetQuery{Team: t.Team, Rep: t.Rep,
		Period: t.Period})
	if err != nil {
		return nil, err
	}
	key := "setquota.breakdown.rep"
	if t.Team != "" {
		key = "setquota.breakdown." + string(t.Split)
	}
	var parts []engine.RepProgress
	for _, r := range rs {
		if r.Target.Metric == t.Metric && (r.Target.ID == t.ID || t.Rep != "") {
			parts = r.Parts
			break
		}
	}
	period := i18n.T(lang, "quota.period."+string(t.Period), nil)
	if len(parts) == 0 {
		return []string{i18n.T(lang, "setquota.no_parts", i18n.Args{"period": period})}, nil
	}
	out := []string{i18n.T(lang, key, i18n.Args{"period": period})}
	for _, p := range parts {
		r, err := c.svc.Store().Rep(ctx, p.Rep)
		if err != nil {
			return nil, err
		}
		line := "setquota.part"
		if p.Own != 0 && t.Team != "" {
			line = "setquota.part_own"
		}
		out = append(out, i18n.T(lang, line, i18n.Args{"name": r.Name,
			"done": strconv.FormatFloat(p.Done, 'f', -1, 64), "amount": p.Amount}))
	}
	return out, nil
}

// targetRefused explains why a target was not set.
func (c *Core) targetRefused(
	ctx context.Context,
	me engine.Rep,
	err error,
	team string,
	lang i18n.Lang,
) Reply {
	var e *engine.Error
	switch {
	case engine.CodeOf(err) == "not_supervisor":
		return Reply{Text: i18n.T(lang, "setquota.not_supervisor", i18n.Args{"team": team})}
	case engine.CodeOf(err) == "team_not_found",
		errors.As(err, &e) && e.Kind == engine.Invalid && e.Field == "team":
		// A team name too long to store is no team on the roster either.
		return Reply{Text: i18n.T(lang, "setquota.no_team", i18n.Args{"team": team})}
	}
	return c.failure(ctx, me, 0, err, lang, false)
}

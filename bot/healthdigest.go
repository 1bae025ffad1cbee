package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Actions of the weekly health digest's buttons: cover an uncovered key
// account ("cover:L12"), and make one rebalance move, which carries its
// giver and receiver ("move:L12:r1>r2").
const (
	ActCover = "cover"
	ActMove  = "move"
)

// moveAction builds the action of a move button.
func moveAction(m engine.SuggestedMove) string {
	return action(ActMove, m.Lead) + ":" + string(m.From) + ">" + string(m.To)
}

// healthDigestCard shows a digest: the breached tiles with their
// numbers, the tally of a lead's team targets, for a manager each
// team's headline and target tally, the other tiles, and the
// suggestions with a button each. The note says what to type where
// there are no buttons, then lists a lead's targets.
func (r *Renderer) healthDigestCard(d engine.HealthDigest, to engine.Rep) (string, *Card) {
	lang, loc := r.Lang(to), r.zone(to)
	t := func(key string, args i18n.Args) string { return i18n.T(lang, key, args) }
	date := d.At.In(loc).Format("01-02")
	c := &Card{Title: t("health.title.company", i18n.Args{"date": date})}
	if d.Team != "" {
		c.Title = t("health.title.team", i18n.Args{"team": d.Team, "date": date})
	}
	// The breached tiles come first and the teams' headlines before the
	// healthy tiles, so that a platform that shows only the first few
	// fields (WeCom: six) still shows what needs attention.
	breached := 0
	var healthy []Field
	for _, tile := range d.Tiles {
		f := Field{t("tile."+tile.ID, nil), tileValue(tile, lang)}
		switch {
		case tile.Breached():
			breached++
			c.Fields = append(c.Fields, f)
		case tile.Status != "no_data":
			healthy = append(healthy, f)
		}
	}
	if len(d.Targets) > 0 {
		c.Fields = append(c.Fields, Field{t("health.targets", nil),
			targetTally(engine.TallyTargets(d.Targets), t)})
	}
	for _, h := range d.Teams {
		v := t("health.team.ok", nil)
		if h.Worst != nil {
			v = t("health.team.breached", i18n.Args{"alerts": h.Alerts, "warnings": h.Warnings,
				"tile": t("tile."+h.Worst.ID, nil), "value": tileValue(*h.Worst, lang)})
		}
		c.Fields = append(c.Fields, Field{t("health.team", i18n.Args{"team": h.Team}), v})
		if h.Targets != nil {
			c.Fields = append(c.Fields, Field{t("health.team.targets", i18n.Args{"team": h.Team}),
				targetTally(*h.Targets, t)})
		}
	}
	c.Fields = append(c.Fields, healthy...)

	var notes, typed []string
	for _, g := range d.Gaps {
		args := i18n.Args{"lead": g.Lead.String(), "company": g.Company, "name": g.HolderName}
		key := "health.gap.open"
		if g.Holder != "" {
			key = "health.gap.away"
		}
		notes = append(notes, t(key, args))
		typed = append(typed, t("health.type.cover", args))
		c.Buttons = append(c.Buttons, Button{Label: t("button.cover", args),
			Action: action(ActCover, g.Lead)})
	}
	for _, m := range d.Moves {
		args := i18n.Args{"lead": m.Lead.String(), "company": m.Company, "from": m.FromName,
			"to": m.ToName, "reason": m.Reason}
		notes = append(notes, t("health.move", args))
		typed = append(typed, t("health.type.move", args))
		c.Buttons = append(c.Buttons, Button{Label: t("button.move", args), Action: moveAction(m)})
	}
	if len(notes) == 0 {
		notes = append(notes, t("health.none", nil))
	} else {
		cmds := strings.Join(typed, t("health.sep", nil))
		notes = append(notes, t("health.type", i18n.Args{"commands": cmds}))
	}
	notes = append(notes, targetLines(d.Targets, t)...)
	c.Note = strings.Join(notes, "\n")
	text := t("health.summary", i18n.Args{"from": d.From.In(loc).Format("01-02 15:04"),
		"to": d.To.In(loc).Format("01-02 15:04"), "count": breached})
	return text, c
}

// tileValue writes a tile's value in its unit, with the counts of a
// ratio and, for a breached tile, the level it crossed.
func tileValue(tile engine.HealthTile, lang i18n.Lang) string {
	if tile.Value == nil {
		return "-"
	}
	num := func(v float64) string {
		switch {
		case tile.ID == "slowing_replies":
			return fmt.Sprintf("%.2f×", v)
		case tile.Unit == "ratio":
			return fmt.Sprintf("%.0f%%", v*100)
		case tile.Unit == "hours":
			return fmt.Sprintf("%.1fh", v)
		case tile.Unit == "amount":
			return fmt.Sprintf("¥%.0f", v)
		}
		return fmt.Sprintf("%.0f", v)
	}
	s := num(*tile.Value)
	if tile.Unit == "ratio" && tile.Numerator != nil && tile.Denominator != nil {
		s += fmt.Sprintf(" (%.0f/%.0f)", *tile.Numerator, *tile.Denominator)
	}
	if tile.Breached() && tile.Limit != nil {
		key := "health.above"
		if tile.Below {
			key = "health.below"
		}
		s += " " + i18n.T(lang, key, i18n.Args{"status": i18n.T(lang, "health."+tile.Status, nil),
			"limit": num(*tile.Limit)})
	}
	return s
}

// cover carries out a digest's cover button.
func (c *Core) cover(ctx context.Context, in Inbound, id engine.LeadID, lang i18n.Lang) Reply {
	l, err := c.svc.Cover(ctx, id, in.User.ID)
	if err != nil {
		return c.digestFailure(ctx, in.User, id, err, lang)
	}
	c.log.Info("chat command", slog.String("platform", in.Platform),
		slog.String("rep_id", string(in.User.ID)), slog.String("command", ActCover),
		slog.String("lead_id", id.String()))
	card, _ := c.render.LeadCard(ctx, l, in.User)
	return Reply{Text: i18n.T(lang, "reassign.ok", i18n.Args{"lead": id.String(),
		"name": c.render.name(ctx, l.Assignee)}), Card: card}
}

// applyMove carries out a digest's move button; arg is "giver>receiver".
func (c *Core) applyMove(
	ctx context.Context,
	in Inbound,
	id engine.LeadID,
	arg string,
	lang i18n.Lang,
) Reply {
	from, to, ok := strings.Cut(arg, ">")
	if !ok || from == "" || to == "" {
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": id.String()})}
	}
	l, err := c.svc.ApplyMove(ctx, id, engine.RepID(from), engine.RepID(to), in.User.ID)
	if err != nil {
		return c.digestFailure(ctx, in.User, id, err, lang)
	}
	c.log.Info("chat command", slog.String("platform", in.Platform),
		slog.String("rep_id", string(in.User.ID)), slog.String("command", ActMove),
		slog.String("lead_id", id.String()))
	card, _ := c.render.LeadCard(ctx, l, in.User)
	return Reply{Text: i18n.T(lang, "reassign.ok", i18n.Args{"lead": id.String(),
		"name": c.render.name(ctx, l.Assignee)}), Card: card}
}

// digestFailureKeys are the answers particular to the digest's actions.
var digestFailureKeys = map[string]string{
	"already_covered": "health.done",
	"already_moved":   "health.done",
	"move_stale":      "health.stale",
	"over_capacity":   "health.full",
}

// digestFailure says why a digest button did nothing: done already, a
// suggestion overtaken by events, or the answers of other commands.
func (c *Core) digestFailure(
	ctx context.Context,
	me engine.Rep,
	id engine.LeadID,
	err error,
	lang i18n.Lang,
) Reply {
	key, ok := digestFailureKeys[engine.CodeOf(err)]
	if !ok {
		return c.failure(ctx, me, id, err, lang, false)
	}
	args := i18n.Args{"lead": id.String()}
	l, lerr := c.svc.Lead(ctx, id)
	if lerr == nil && l.Assignee != "" {
		args["name"] = c.render.name(ctx, l.Assignee)
	}
	var card *Card
	if lerr == nil {
		card, _ = c.render.LeadCard(ctx, l, me)
	}
	return Reply{Text: i18n.T(lang, key, args), Card: card}
}

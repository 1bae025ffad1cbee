package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/leadbot/leadbot/bot/command"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// poolSize is how many pooled leads a pool listing shows.
const poolSize = 10

func (c *Core) pool(ctx context.Context, me engine.RepID, lang i18n.Lang) Reply {
	leads, err := c.svc.PoolFor(ctx, me, poolSize)
	if err != nil {
		return c.failure(ctx, engine.Rep{ID: me}, 0, err, lang, false)
	}
	if len(leads) == 0 {
		return Reply{Text: i18n.T(lang, "pool.empty", nil)}
	}
	lines := []string{i18n.T(lang, "pool.header", i18n.Args{"count": len(leads)})}
	for _, l := range leads {
		lines = append(
			lines,
			i18n.T(lang, "pool.line", i18n.Args{
				"lead":    l.ID.String(),
				"company": l.Company,
				"tier":    i18n.T(lang, "tier."+string(l.Tier), nil),
				"score":   fmt.Sprintf("%.0f", l.Score),
			}),
		)
	}
	lines = append(lines, i18n.T(lang, "pool.footer", i18n.Args{"lead": leads[0].ID.String()}))
	return Reply{Text: strings.Join(lines, "\n")}
}

func (c *Core) mine(ctx context.Context, me engine.Rep, lang i18n.Lang) Reply {
	leads, err := c.svc.MyLeads(ctx, me.ID)
	if err != nil {
		return c.failure(ctx, me, 0, err, lang, false)
	}
	if len(leads) == 0 {
		return Reply{Text: i18n.T(lang, "mine.empty", nil)}
	}
	lines := []string{i18n.T(lang, "mine.header", i18n.Args{"count": len(leads)})}
	for _, l := range leads {
		lines = append(
			lines,
			i18n.T(lang, "mine.line", i18n.Args{
				"lead":    l.ID.String(),
				"company": l.Company,
				"percent": l.Progress,
				"due":     c.due(l, me, lang),
			}),
		)
	}
	return Reply{Text: strings.Join(lines, "\n")}
}

// show describes a lead to someone entitled to see it: its owner, a rep
// who may claim it, or a lead or manager of the owner's team.
func (c *Core) show(ctx context.Context, me engine.Rep, id engine.LeadID, lang i18n.Lang) Reply {
	l, err := c.svc.Lead(ctx, id)
	if err != nil {
		return c.failure(ctx, me, id, err, lang, false)
	}
	var owner engine.Rep
	if l.Assignee != "" {
		if owner, err = c.svc.Store().Rep(ctx, l.Assignee); err != nil {
			return c.failure(ctx, me, id, err, lang, false)
		}
	}
	cs, err := c.svc.Collaborators(ctx, id)
	if err != nil {
		return c.failure(ctx, me, id, err, lang, false)
	}
	claimable := false
	if l.Status == engine.StatusPool {
		if claimable, err = c.svc.MayClaim(ctx, me, l); err != nil {
			return c.failure(ctx, me, id, err, lang, false)
		}
	}
	if !maySee(me, l, owner, claimable) && !liveOn(cs, me.ID) {
		return Reply{Text: i18n.T(lang, "lead.not_yours", i18n.Args{"lead": id.String()})}
	}
	events, err := c.svc.LeadHistory(ctx, id)
	if err != nil {
		return c.failure(ctx, me, id, err, lang, false)
	}
	if me.Role != engine.RoleRep {
		if err := c.svc.NoteViewed(ctx, id, me.ID); err != nil {
			c.log.Warn("dispute view not recorded", slog.String("lead_id", id.String()), slog.Any("err", err))
		}
	}
	card, _ := c.render.LeadCard(ctx, l, me)
	collabs := c.render.collabList(ctx, cs, c.render.zone(me), lang)
	plan := c.planLines(ctx, l, me, lang)
	return Reply{Text: c.describe(l, owner, me, events, collabs, plan, lang), Card: card}
}

// maySee reports whether me may look at the lead; claimable is whether
// the pool's visibility rules let me claim it.
func maySee(me engine.Rep, l engine.Lead, owner engine.Rep, claimable bool) bool {
	switch {
	case l.Assignee == me.ID, me.Role == engine.RoleManager && me.Team == "":
		return true
	case l.Status == engine.StatusPool:
		return claimable || me.Role != engine.RoleRep
	case l.Assignee != "":
		return (me.Role == engine.RoleLead || me.Role == engine.RoleManager) &&
			me.Team == owner.Team
	}
	return me.Role != engine.RoleRep
}

// historyLines is how much of a lead's history show prints.
const historyLines = 8

func (c *Core) describe(
	l engine.Lead,
	owner, me engine.Rep,
	events []engine.LeadEvent,
	collabs string,
	plan []string,
	lang i18n.Lang,
) string {
	t := func(key string, args i18n.Args) string { return i18n.T(lang, key, args) }
	lines := []string{
		t("show.title", i18n.Args{"lead": l.ID.String()}),
		t("show.company", i18n.Args{"company": l.Company}),
		t("show.tier", i18n.Args{"tier": t("tier."+string(l.Tier), nil)}),
		t("show.score", i18n.Args{"score": fmt.Sprintf("%.1f", l.Score)}),
		t("show.status", i18n.Args{"status": t("status."+string(l.Status), nil)}),
	}
	if owner.ID != "" {
		lines = append(lines, t("show.owner", i18n.Args{"name": owner.Name}))
	} else {
		lines = append(lines, t("show.owner_none", nil))
	}
	if collabs != "" {
		lines = append(lines, t("show.collaborators", i18n.Args{"list": collabs}))
	}
	lines = append(lines, t("show.due", i18n.Args{"due": c.due(l, me, lang)}))
	lines = append(lines, plan...)
	if l.Decision != nil && len(l.Decision.Reasons) > 0 {
		lines = append(
			lines,
			t("show.reason", i18n.Args{"reason": strings.Join(l.Decision.Reasons, "; ")}),
		)
	}
	lines = append(lines, t("show.history", nil))
	for _, e := range events[max(0, len(events)-historyLines):] {
		args := i18n.Args{"at": e.At.In(c.render.zone(me)).Format("01-02 15:04"),
			"event": t("event."+string(e.Event), nil), "detail": e.Detail}
		key := "show.history_line"
		if e.Detail != "" {
			key = "show.history_line_detail"
		}
		lines = append(lines, t(key, args))
	}
	return strings.Join(lines, "\n")
}

func (c *Core) transfer(
	ctx context.Context,
	me engine.Rep,
	cmd command.Command,
	lang i18n.Lang,
) Reply {
	to, ok, err := c.findRep(ctx, cmd.Target)
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, false)
	}
	if !ok {
		return Reply{Text: i18n.T(lang, "transfer.unknown_target", i18n.Args{"name": cmd.Target})}
	}
	res, err := c.svc.Transfer(ctx, cmd.Lead, me.ID, to.ID)
	if engine.CodeOf(err) == "over_capacity" {
		return Reply{Text: i18n.T(lang, "transfer.receiver_full", i18n.Args{"name": to.Name,
			"open": to.OpenTasks, "capacity": to.Capacity, "lead": cmd.Lead.String()})}
	}
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, false)
	}
	args := i18n.Args{"lead": cmd.Lead.String(), "name": to.Name}
	if res.Pending != nil {
		var names []string
		for _, a := range res.Approvers {
			names = append(names, a.Name)
		}
		args["approver"] = strings.Join(names, "、")
		return Reply{Text: i18n.T(lang, "transfer.pending", args)}
	}
	card, _ := c.render.LeadCard(ctx, res.Lead, me)
	return Reply{Text: i18n.T(lang, "transfer.ok", args), Card: card}
}

// decideTransfer approves or rejects a hand-over from its card.
func (c *Core) decideTransfer(
	ctx context.Context,
	me engine.Rep,
	lead engine.LeadID,
	arg string,
	approve bool,
	lang i18n.Lang,
) Reply {
	id, err := engine.ParseTransferID(arg)
	if err != nil {
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": lead.String()})}
	}
	req, err := c.svc.DecideTransfer(ctx, id, me.ID, approve)
	switch engine.CodeOf(err) {
	case "already_decided", "transfer_stale":
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": lead.String()})}
	case "not_approver":
		return forbidden(me, lang)
	}
	if err != nil {
		return c.failure(ctx, me, lead, err, lang, true)
	}
	to, _ := c.svc.Store().Rep(ctx, req.To)
	key := "transfer.rejected"
	if approve {
		key = "transfer.approved"
	}
	return Reply{Text: i18n.T(lang, key, i18n.Args{"lead": lead.String(), "name": to.Name})}
}

// findRep finds a colleague by id, name or chat user id.
func (c *Core) findRep(ctx context.Context, who string) (engine.Rep, bool, error) {
	who = strings.TrimSpace(strings.TrimPrefix(who, "@"))
	reps, err := c.svc.Reps(ctx)
	if err != nil {
		return engine.Rep{}, false, err
	}
	for _, r := range reps {
		if string(r.ID) == who || r.Name == who || r.WeComUserID == who || r.DingTalkUserID == who {
			return r, true, nil
		}
	}
	return engine.Rep{}, false, nil
}

func (c *Core) dispute(
	ctx context.Context,
	me engine.Rep,
	cmd command.Command,
	lang i18n.Lang,
) Reply {
	share, reason := proposedShare(cmd.Kind, cmd.Note)
	d, err := c.svc.FileDisputeSplit(ctx, cmd.Lead, me.ID, cmd.Kind, reason, share)
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, false)
	}
	return Reply{
		Text: i18n.T(
			lang,
			"dispute.filed",
			i18n.Args{
				"dispute": d.ID.String(),
				"lead":    d.LeadID.String(),
				"kind":    i18n.T(lang, "dispute_kind."+string(d.Kind), nil),
			},
		),
	}
}

// decideDispute settles a dispute from its approval card.
func (c *Core) decideDispute(
	ctx context.Context,
	me engine.Rep,
	lead engine.LeadID,
	arg, verb, value string,
	lang i18n.Lang,
) Reply {
	id, err := engine.ParseDisputeID(arg)
	if err != nil {
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": lead.String()})}
	}
	v, share := engine.Approve, (*float64)(nil)
	switch verb {
	case ActDisputeReject:
		v = engine.Reject
	case ActDisputeSplit:
		p, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), "%"), 64)
		if err != nil || p < 0 || p > 100 {
			return Reply{Text: i18n.T(lang, "card.split_input", nil)}
		}
		p /= 100
		v, share = engine.Split, &p
	}
	comment := ""
	if v != engine.Split {
		comment = strings.TrimSpace(value)
	}
	res, err := c.svc.DecideDispute(ctx, id, me.ID, v, share, comment)
	switch engine.CodeOf(err) {
	case "already_decided", "lead_closed":
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": lead.String()})}
	case "not_decider":
		return forbidden(me, lang)
	}
	if err != nil {
		return c.failure(ctx, me, lead, err, lang, true)
	}
	args := i18n.Args{"dispute": id.String(), "lead": lead.String(),
		"status": i18n.T(lang, "dispute_status."+string(res.Dispute.Status), nil)}
	if res.Waiting {
		return Reply{Text: i18n.T(lang, "dispute.waiting", args)}
	}
	return Reply{Text: i18n.T(lang, "dispute.decided", args)}
}

// proposedShare reads the share a commission dispute asks for from the
// start of its reason ("申诉 12 提成 50% 一起跟的单" asks for half).
func proposedShare(kind engine.DisputeKind, reason string) (*float64, string) {
	if kind != engine.DisputeCommission {
		return nil, reason
	}
	head, rest, _ := strings.Cut(strings.TrimSpace(reason), " ")
	num, ok := strings.CutSuffix(strings.TrimSuffix(head, "％"), "%")
	if !ok && !strings.HasSuffix(head, "％") {
		return nil, reason
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || p < 0 || p > 100 || strings.TrimSpace(rest) == "" {
		return nil, reason
	}
	p /= 100
	return &p, strings.TrimSpace(rest)
}

// forbidden tells a person their role may not do what they asked.
func forbidden(me engine.Rep, lang i18n.Lang) Reply {
	role := i18n.T(lang, "role."+string(me.Role), nil)
	return Reply{Text: i18n.T(lang, "error.forbidden", i18n.Args{"role": role})}
}

// release gives a lead back to the pool: the owner's own release, or a
// supervisor returning someone else's lead.
func (c *Core) release(
	ctx context.Context,
	id engine.LeadID,
	me engine.RepID,
	note string,
) (engine.Lead, error) {
	l, err := c.svc.Lead(ctx, id)
	if err == nil && l.Status == engine.StatusAssigned && l.Assignee != me {
		return c.svc.ReturnToPool(ctx, id, me, note)
	}
	return c.svc.Release(ctx, id, me)
}

// reassign gives a late lead to the rep named, or to the router's
// choice when none is.
func (c *Core) reassign(
	ctx context.Context,
	in Inbound,
	cmd command.Command,
	lang i18n.Lang,
	clicked bool,
) Reply {
	me := in.User
	if cmd.Target == "" {
		// A lead nobody holds has no owner to take it from: the router
		// gives it to someone in the team, as the digest's cover button.
		l, err := c.svc.Lead(ctx, cmd.Lead)
		if err == nil && (l.Status == engine.StatusPool || l.Status == engine.StatusStandby) {
			return c.cover(ctx, in, cmd.Lead, lang)
		}
	}
	var to engine.Rep
	if cmd.Target != "" {
		r, ok, err := c.findRep(ctx, cmd.Target)
		if err != nil {
			return c.failure(ctx, me, cmd.Lead, err, lang, clicked)
		}
		if !ok {
			args := i18n.Args{"name": cmd.Target}
			return Reply{Text: i18n.T(lang, "transfer.unknown_target", args)}
		}
		to = r
	}
	l, err := c.svc.Reassign(ctx, cmd.Lead, me.ID, to.ID, cmd.Note)
	if engine.CodeOf(err) == "over_capacity" {
		return Reply{Text: i18n.T(lang, "transfer.receiver_full", i18n.Args{"name": to.Name,
			"open": to.OpenTasks, "capacity": to.Capacity, "lead": cmd.Lead.String()})}
	}
	if err != nil {
		return c.failure(ctx, me, cmd.Lead, err, lang, clicked)
	}
	c.log.Info("chat command", slog.String("platform", in.Platform),
		slog.String("rep_id", string(me.ID)),
		slog.String("command", string(cmd.Verb)), slog.String("lead_id", l.ID.String()))
	name := c.render.name(ctx, l.Assignee)
	card, _ := c.render.LeadCard(ctx, l, me)
	return Reply{Text: i18n.T(lang, "reassign.ok", i18n.Args{"lead": l.ID.String(), "name": name}),
		Card: card}
}

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

// Inbound is one thing a person did in chat: typed a command, or clicked
// a card's button. The platform adapter has already identified the
// person.
type Inbound struct {
	Platform string
	User     engine.Rep
	// Text is a typed command.
	Text string
	// Action is a clicked button's action, and Value what the clicker
	// typed for it.
	Action string
	Value  string
}

// Reply is what the person sees in answer: a text, and a card when the
// answer is about one lead.
type Reply struct {
	Text string `json:"text,omitempty"`
	Card *Card  `json:"card,omitempty"`
}

// Core turns chat input into engine use cases and their outcomes into
// replies, the same for every platform.
type Core struct {
	svc    *engine.Service
	render *Renderer
	log    *slog.Logger
	links  DashboardLinks
}

// NewCore returns the chat core.
func NewCore(svc *engine.Service, r *Renderer, log *slog.Logger) *Core {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Core{svc: svc, render: r, log: log}
}

// Stranger is the answer to someone Leadbot does not know: who to ask,
// and nothing else happens.
func (c *Core) Stranger(lang i18n.Lang) Reply {
	return Reply{Text: i18n.T(lang, "error.unknown_user", nil)}
}

// Handle carries out a command or a click and says how it went.
func (c *Core) Handle(ctx context.Context, in Inbound) Reply {
	lang := c.render.Lang(in.User)
	if in.Action != "" {
		return c.click(ctx, in, lang)
	}
	cmd, err := command.Parse(in.Text)
	if err != nil {
		return Reply{Text: parseError(err, lang)}
	}
	return c.run(ctx, in, cmd, lang, false)
}

func parseError(err error, lang i18n.Lang) string {
	pe, ok := err.(*command.Error)
	if !ok {
		return i18n.T(lang, "parse.unknown_command", nil)
	}
	usage := ""
	if pe.Verb != "" {
		usage = i18n.T(lang, pe.Verb.UsageKey(), nil)
	}
	return i18n.T(lang, pe.Code.Key(), i18n.Args{"usage": usage, "arg": pe.Arg})
}

// click maps a button to the command it stands for.
func (c *Core) click(ctx context.Context, in Inbound, lang i18n.Lang) Reply {
	verb, id, arg, err := ParseAction(in.Action)
	if err != nil {
		return Reply{Text: i18n.T(lang, "parse.unknown_command", nil)}
	}
	cmd := command.Command{Lead: id}
	switch verb {
	case ActApprove, ActReject:
		return c.decideTransfer(ctx, in.User, id, arg, verb == ActApprove, lang)
	case ActDisputeApprove, ActDisputeReject, ActDisputeSplit:
		return c.decideDispute(ctx, in.User, id, arg, verb, in.Value, lang)
	case ActClaim:
		cmd.Verb = command.Claim
	case ActAccept:
		cmd.Verb = command.Accept
	case ActRelease, ActReturn:
		cmd.Verb = command.Release
	case ActExtend:
		cmd.Verb = command.Extend
	case ActReassign:
		cmd.Verb = command.Reassign
	case ActWon, ActLost:
		cmd.Verb, cmd.Outcome = command.Done, engine.Outcome(verb)
	case ActProgress:
		p, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(in.Value), "%"))
		if err != nil || p < 0 || p > 100 {
			return Reply{Text: i18n.T(lang, "progress.prompt", i18n.Args{"lead": id.String()})}
		}
		cmd.Verb, cmd.Percent = command.Progress, p
	case ActCover:
		return c.cover(ctx, in, id, lang)
	case ActMove:
		return c.applyMove(ctx, in, id, arg, lang)
	case ActDispute:
		if strings.TrimSpace(in.Value) == "" {
			return Reply{Text: i18n.T(lang, "dispute.prompt", i18n.Args{"lead": id.String()})}
		}
		cmd.Verb, cmd.Kind, cmd.Note = command.Dispute, engine.DisputeOwnership, in.Value
	default:
		return Reply{Text: i18n.T(lang, "card.stale", i18n.Args{"lead": id.String()})}
	}
	return c.run(ctx, in, cmd, lang, true)
}

// run carries out a parsed command. A click on a card whose lead has
// moved on gets the stale-card answer and the card as it stands now.
func (c *Core) run(
	ctx context.Context,
	in Inbound,
	cmd command.Command,
	lang i18n.Lang,
	clicked bool,
) Reply {
	me := in.User.ID
	id := cmd.Lead
	var l engine.Lead
	var err error
	switch cmd.Verb {
	case command.Help:
		return Reply{Text: i18n.T(lang, "help.text", nil)}
	case command.Pool:
		return c.pool(ctx, me, lang)
	case command.Mine:
		return c.mine(ctx, in.User, lang)
	case command.Quota:
		return c.quota(ctx, in.User, lang)
	case command.Dashboard:
		return c.dashboard(in.User, lang)
	case command.SetQuota:
		return c.setQuota(ctx, in, *cmd.Goal, lang)
	case command.Show:
		return c.show(ctx, in.User, id, lang)
	case command.Claim:
		l, err = c.svc.Claim(ctx, id, me, engine.Actor(me))
	case command.Accept:
		l, err = c.svc.Accept(ctx, id, me)
	case command.Release:
		l, err = c.release(ctx, id, me, cmd.Note)
	case command.Extend:
		l, err = c.svc.Extend(ctx, id, me, cmd.Extension, cmd.Note)
	case command.Reassign:
		return c.reassign(ctx, in, cmd, lang, clicked)
	case command.Progress:
		l, err = c.svc.Progress(ctx, id, me, cmd.Percent, cmd.Note)
	case command.Done:
		l, err = c.svc.Close(ctx, id, me, cmd.Outcome, cmd.Amount)
	case command.Transfer:
		return c.transfer(ctx, in.User, cmd, lang)
	case command.Dispute:
		return c.dispute(ctx, in.User, cmd, lang)
	case command.Target, command.Milestone:
		return c.plan(ctx, in, cmd, lang)
	default:
		return Reply{Text: i18n.T(lang, "parse.unknown_command", nil)}
	}
	if err != nil {
		return c.failure(ctx, in.User, id, err, lang, clicked)
	}
	c.log.Info(
		"chat command",
		slog.String("platform", in.Platform),
		slog.String("rep_id", string(me)),
		slog.String("command", string(cmd.Verb)),
		slog.String("lead_id", id.String()),
	)
	return c.success(ctx, in.User, cmd, l, lang)
}

func (c *Core) success(
	ctx context.Context,
	me engine.Rep,
	cmd command.Command,
	l engine.Lead,
	lang i18n.Lang,
) Reply {
	args := i18n.Args{"lead": l.ID.String(), "company": l.Company, "due": c.due(l, me, lang),
		"percent": cmd.Percent}
	var key string
	switch cmd.Verb {
	case command.Claim:
		key = "claim.ok"
	case command.Accept:
		key = "accept.ok"
	case command.Release:
		key = "release.ok"
	case command.Extend:
		key = "extend.ok"
	case command.Progress:
		key = "progress.ok"
	case command.Done:
		key = "done." + string(cmd.Outcome)
		if cmd.Outcome == engine.Won && l.ClosedAmount != nil && cmd.Amount != nil {
			key, args["amount"] = "done.won_amount", fmt.Sprintf("¥%.0f", *l.ClosedAmount)
		}
	}
	card, _ := c.render.LeadCard(ctx, l, me)
	return Reply{Text: i18n.T(lang, key, args), Card: card}
}

func (c *Core) due(l engine.Lead, me engine.Rep, lang i18n.Lang) string {
	if l.DueAt == nil {
		return i18n.T(lang, "show.due_none", nil)
	}
	return l.DueAt.In(c.render.zone(me)).Format("01-02 15:04")
}

// failure explains why a command did nothing, in the user's words.
func (c *Core) failure(
	ctx context.Context,
	me engine.Rep,
	id engine.LeadID,
	err error,
	lang i18n.Lang,
	clicked bool,
) Reply {
	args := i18n.Args{"lead": id.String()}
	l, lerr := c.svc.Lead(ctx, id)
	var card *Card
	if lerr == nil {
		args["status"] = i18n.T(lang, "status."+string(l.Status), nil)
		if l.Assignee != "" {
			owner, _ := c.svc.Store().Rep(ctx, l.Assignee)
			args["name"] = owner.Name
		}
		card, _ = c.render.LeadCard(ctx, l, me)
	}
	key := c.failureKey(err, clicked)
	if key == "lead.over_capacity" {
		args["open"], args["capacity"] = me.OpenTasks, me.Capacity
	}
	if key == "error.forbidden" {
		args["role"] = i18n.T(lang, "role."+string(me.Role), nil)
	}
	if key == "error.internal" {
		c.log.Error("chat command failed", slog.String("rep_id", string(me.ID)),
			slog.String("lead_id", id.String()), slog.Any("err", err))
	}
	return Reply{Text: i18n.T(lang, key, args), Card: card}
}

// failureKeys maps engine error codes to the catalogue.
var failureKeys = map[string]string{
	"lead_not_found":   "lead.not_found",
	"already_claimed":  "lead.taken",
	"over_capacity":    "lead.over_capacity",
	"not_in_pool":      "lead.not_in_pool",
	"lead_closed":      "lead.closed",
	"not_owner":        "lead.not_yours",
	"not_assigned":     "lead.not_yours",
	"already_accepted": "card.state.accepted",
	"own_lead":         "lead.already_yours",
	"same_owner":       "transfer.self",
	"unknown_user":     "error.unknown_user",
	"inactive_user":    "error.unknown_user",
	"rep_inactive":     "error.forbidden",
	"out_of_range":     "parse.bad_percent",
	"missing_field":    "parse.missing_reason",
	"claim_limit":      "lead.claim_limit",
	"reclaim_cooldown": "lead.cooldown",
	"not_supervisor":   "lead.not_supervisor",
	"bad_extension":    "extend.bad",
	"no_fit":           "reassign.no_fit",
}

func (c *Core) failureKey(err error, clicked bool) string {
	if engine.KindOf(err) == engine.Unavailable {
		return "error.unavailable"
	}
	key, ok := failureKeys[engine.CodeOf(err)]
	if !ok {
		return "error.internal"
	}
	if clicked && (key == "lead.not_yours" || key == "lead.not_in_pool" || key == "lead.closed") {
		return "card.stale"
	}
	return key
}

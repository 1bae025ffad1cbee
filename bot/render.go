package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Renderer draws notices as messages in the recipient's language and
// time zone, from the lead's state at the time of drawing: a card sent
// yesterday and drawn again today shows today's truth.
type Renderer struct {
	src   RepSource
	lang  i18n.Lang
	loc   *time.Location
	clock engine.Clock
	pool  PoolGate
}

// NewRenderer returns a renderer that falls back to lang and loc for
// reps whose profile names neither.
func NewRenderer(src RepSource, lang i18n.Lang, loc *time.Location) *Renderer {
	if loc == nil {
		loc = time.UTC
	}
	return &Renderer{src: src, lang: lang, loc: loc, clock: engine.SystemClock{}}
}

// WithClock makes the renderer tell "how late" by c rather than the
// wall clock, for a notice without a time of its own, and returns it.
func (r *Renderer) WithClock(c engine.Clock) *Renderer {
	r.clock = c
	return r
}

// Lang returns the language to speak to r in.
func (r *Renderer) Lang(rep engine.Rep) i18n.Lang {
	if rep.Language != "" {
		return i18n.Parse(rep.Language)
	}
	return r.lang
}

func (r *Renderer) zone(rep engine.Rep) *time.Location {
	if rep.Timezone != "" {
		if loc, err := time.LoadLocation(rep.Timezone); err == nil {
			return loc
		}
	}
	return r.loc
}

// Notice draws a notice for its recipient.
func (r *Renderer) Notice(ctx context.Context, n engine.Notice, to engine.Rep) (Message, error) {
	lang := r.Lang(to)
	if n.Kind == engine.NoticeText {
		return Message{Text: i18n.T(lang, n.Text, toArgs(n.Args))}, nil
	}
	if isDigest(n.Kind) {
		return r.digestMessage(ctx, n, to)
	}
	l, err := r.src.Lead(ctx, n.LeadID)
	if err != nil {
		return Message{}, fmt.Errorf("draw notice %s: %w", n.Key, err)
	}
	switch n.Kind {
	case engine.NoticeDispute:
		return Message{Card: r.disputeCard(ctx, l, n, to)}, nil
	case engine.NoticeTransfer:
		return Message{Card: r.transferCard(ctx, l, n, to)}, nil
	case engine.NoticeReminder, engine.NoticeAlert:
		return r.chaseCard(ctx, l, n, to)
	case engine.NoticeCollaborator:
		c, err := r.collaboratorCard(ctx, l, n, to)
		return Message{Card: c}, err
	case engine.NoticeCadence, engine.NoticeSilence, engine.NoticeMilestone:
		return r.followUpCard(ctx, l, n, to)
	}
	c, err := r.LeadCard(ctx, l, to)
	if err != nil {
		return Message{}, err
	}
	return Message{Card: c}, nil
}

func toArgs(m map[string]string) i18n.Args {
	a := i18n.Args{}
	for k, v := range m {
		a[k] = v
	}
	return a
}

// LeadCard draws a lead as viewer should see it now: the owner gets the
// assignment card with its buttons, a rep who may claim it gets the pool
// card, and everyone else a card that says where it went.
func (r *Renderer) LeadCard(ctx context.Context, l engine.Lead, viewer engine.Rep) (*Card, error) {
	lang := r.Lang(viewer)
	var owner engine.Rep
	if l.Assignee != "" {
		var err error
		if owner, err = r.src.Rep(ctx, l.Assignee); err != nil {
			return nil, fmt.Errorf("draw lead %s: %w", l.ID, err)
		}
	}
	c := &Card{Key: fmt.Sprintf("%s:%s", l.ID, viewer.ID), LeadID: l.ID, Lead: l.ID.String(),
		Fields: r.leadFields(l, owner, viewer, lang)}
	cs, err := r.src.Collaborators(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("draw lead %s: %w", l.ID, err)
	}
	c.Fields = append(c.Fields, r.collabFields(ctx, cs, viewer, lang)...)
	args := i18n.Args{"lead": l.ID.String(), "company": l.Company, "name": owner.Name}
	switch {
	case l.Status == engine.StatusAssigned && l.Assignee == viewer.ID:
		c.Title = i18n.T(lang, "card.assign.title", args)
		c.Buttons = ownerButtons(l, lang)
		c.Fields = append(c.Fields, r.planFields(ctx, l, lang)...)
	case l.Status == engine.StatusPool:
		c.Title = i18n.T(lang, "card.pool.title", args)
		if r.mayClaim(ctx, viewer, l) {
			c.Note = i18n.T(lang, "card.pool.hint", args)
			c.Buttons = []Button{{
				Label:   i18n.T(lang, "button.claim", nil),
				Action:  action(ActClaim, l.ID),
				Primary: true,
			}}
		}
	default:
		c.Title = i18n.T(lang, "card.assign.title", args)
		c.Closed, c.State = true, r.stateLine(l, owner, lang)
		if l.Status == engine.StatusAssigned && viewer.Role != engine.RoleManager {
			// Someone else holds it: the viewer may contest that.
			c.Buttons = []Button{{
				Label:  i18n.T(lang, "button.dispute", nil),
				Action: action(ActDispute, l.ID),
				Input:  i18n.T(lang, "card.dispute_input", nil),
			}}
		}
	}
	return c, nil
}

func ownerButtons(l engine.Lead, lang i18n.Lang) []Button {
	var bs []Button
	if l.AcceptedAt == nil {
		bs = append(bs, Button{
			Label:   i18n.T(lang, "button.accept", nil),
			Action:  action(ActAccept, l.ID),
			Primary: true,
		})
	}
	return append(bs,
		Button{Label: i18n.T(lang, "button.progress", nil), Action: action(ActProgress, l.ID),
			Input: i18n.T(lang, "card.progress_input", nil)},
		Button{Label: i18n.T(lang, "button.won", nil), Action: action(ActWon, l.ID)},
		Button{Label: i18n.T(lang, "button.lost", nil), Action: action(ActLost, l.ID)},
		Button{Label: i18n.T(lang, "button.release", nil), Action: action(ActRelease, l.ID)},
	)
}

// stateLine says why a card asks nothing of its viewer any more.
func (r *Renderer) stateLine(l engine.Lead, owner engine.Rep, lang i18n.Lang) string {
	args := i18n.Args{"name": owner.Name}
	switch l.Status {
	case engine.StatusAssigned:
		return i18n.T(lang, "card.state.claimed", args)
	case engine.StatusWon:
		return i18n.T(lang, "card.state.won", args)
	case engine.StatusLost:
		return i18n.T(lang, "card.state.lost", args)
	}
	return i18n.T(lang, "status."+string(l.Status), nil)
}

func (r *Renderer) leadFields(l engine.Lead, owner, viewer engine.Rep, lang i18n.Lang) []Field {
	f := func(key string, v string) Field {
		return Field{Label: i18n.T(lang, "card.field."+key, nil), Value: v}
	}
	fields := []Field{
		f("company", l.Company),
		f("tier", i18n.T(lang, "tier."+string(l.Tier), nil)),
		f("score", fmt.Sprintf("%.0f", l.Score)),
		f("status", i18n.T(lang, "status."+string(l.Status), nil)),
	}
	if l.ExpectedAmount > 0 {
		fields = append(fields, f("amount", fmt.Sprintf("¥%.0f", l.ExpectedAmount)))
	}
	if l.Assignee != "" {
		fields = append(fields, f("owner", owner.Name))
	}
	if l.Status != engine.StatusAssigned || l.Assignee != viewer.ID {
		return fields
	}
	contact := l.Contact.Name
	if contact == "" {
		contact = l.Company
	}
	fields = append(
		fields,
		f("task", i18n.T(lang, "card.assign.task", i18n.Args{"contact": contact})),
	)
	if l.DueAt != nil {
		fields = append(fields, f("due", l.DueAt.In(r.zone(viewer)).Format("2006-01-02 15:04")))
	}
	fields = append(
		fields,
		f("standard", i18n.T(lang, "card.assign.standard", i18n.Args{"lead": l.ID.String()})),
	)
	if l.Progress > 0 {
		fields = append(fields, f("progress", fmt.Sprintf("%d%%", l.Progress)))
	}
	if l.Decision != nil && len(l.Decision.Reasons) > 0 {
		fields = append(fields, f("reason", l.Decision.Reasons[0]))
	}
	return fields
}

func (r *Renderer) disputeCard(
	ctx context.Context,
	l engine.Lead,
	n engine.Notice,
	to engine.Rep,
) *Card {
	lang := r.Lang(to)
	args := i18n.Args{"dispute": n.Text, "lead": l.ID.String(), "company": l.Company}
	f := func(key string, v string) Field {
		return Field{Label: i18n.T(lang, "card.field."+key, nil), Value: v}
	}
	c := &Card{Key: fmt.Sprintf("%s:%s", n.Text, to.ID), LeadID: l.ID, Lead: l.ID.String(),
		Title: i18n.T(lang, "card.dispute.title", args), Fields: []Field{f("company", l.Company)}}
	ds, err := r.src.Disputes(ctx, engine.DisputeFilter{LeadID: l.ID})
	if err != nil {
		return c
	}
	for _, d := range ds {
		if d.ID.String() != n.Text {
			continue
		}
		c.Fields = append(
			c.Fields,
			f("filed_by", r.name(ctx, d.FiledBy)),
			f("against", r.name(ctx, d.Against)),
			f("kind", i18n.T(lang, "dispute_kind."+string(d.Kind), nil)),
			f("dispute_reason", d.Reason),
			f("status", i18n.T(lang, "dispute_status."+string(d.Status), nil)),
		)
		if d.Status != engine.DisputeOpen {
			c.Closed = true
			c.State = i18n.T(
				lang,
				"card.state."+string(d.Status),
				i18n.Args{"name": r.name(ctx, d.DecidedBy)},
			)
			continue
		}
		if d.Proposed != nil {
			c.Fields = append(c.Fields, f("proposed_split", fmt.Sprintf("%.0f%%", *d.Proposed*100)))
		}
		c.Note = r.recentHistory(ctx, l.ID, to, lang)
		ref := ":" + d.ID.String()
		c.Buttons = []Button{
			{
				Label:   i18n.T(lang, "button.approve", nil),
				Action:  action(ActDisputeApprove, l.ID) + ref,
				Primary: true,
				Input:   i18n.T(lang, "card.comment_input", nil),
			},
			{
				Label:  i18n.T(lang, "button.reject", nil),
				Action: action(ActDisputeReject, l.ID) + ref,
				Input:  i18n.T(lang, "card.comment_input", nil),
			},
		}
		if d.Kind == engine.DisputeCommission {
			c.Buttons = append(c.Buttons, Button{
				Label:  i18n.T(lang, "button.split", nil),
				Action: action(ActDisputeSplit, l.ID) + ref,
				Input:  i18n.T(lang, "card.split_input", nil),
			})
		}
	}
	return c
}

// name returns a rep's name, or the id of one that is gone.
func (r *Renderer) name(ctx context.Context, id engine.RepID) string {
	if id == "" {
		return "-"
	}
	rep, err := r.src.Rep(ctx, id)
	if err != nil {
		return string(id)
	}
	return rep.Name
}

// transferCard asks a team lead to approve a hand-over, and shows the
// decision once there is one.
func (r *Renderer) transferCard(
	ctx context.Context,
	l engine.Lead,
	n engine.Notice,
	to engine.Rep,
) *Card {
	lang := r.Lang(to)
	f := func(key string, v string) Field {
		return Field{Label: i18n.T(lang, "card.field."+key, nil), Value: v}
	}
	c := &Card{Key: fmt.Sprintf("%s:%s", n.Text, to.ID), LeadID: l.ID, Lead: l.ID.String(),
		Title:  i18n.T(lang, "card.transfer.title", i18n.Args{"lead": l.ID.String()}),
		Fields: []Field{f("company", l.Company)}}
	id, err := engine.ParseTransferID(n.Text)
	if err != nil {
		return c
	}
	req, err := r.src.Transfer(ctx, id)
	if err != nil {
		return c
	}
	c.Fields = append(c.Fields, f("from", r.name(ctx, req.From)), f("to", r.name(ctx, req.To)))
	switch req.Status {
	case engine.TransferPending:
		c.Buttons = []Button{
			{
				Label:   i18n.T(lang, "button.approve", nil),
				Action:  action(ActApprove, l.ID) + ":" + id.String(),
				Primary: true,
			},
			{
				Label:  i18n.T(lang, "button.reject", nil),
				Action: action(ActReject, l.ID) + ":" + id.String(),
			},
		}
	case engine.TransferApproved:
		c.Closed, c.State = true, i18n.T(
			lang,
			"card.state.approved",
			i18n.Args{"name": r.name(ctx, req.DecidedBy)},
		)
	default:
		c.Closed, c.State = true, i18n.T(
			lang,
			"card.state.rejected",
			i18n.Args{"name": r.name(ctx, req.DecidedBy)},
		)
	}
	return c
}

// chaseCard draws a deadline reminder or an overdue alert: the lead as
// it stands, titled for its tier, or for the lag behind plan that sent it
// early. An owner keeps the buttons of their card; a team lead or
// manager may extend the deadline, reassign the lead or return it to the
// pool.
func (r *Renderer) chaseCard(
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
	owner := r.name(ctx, l.Assignee)
	args := i18n.Args{"lead": l.ID.String(), "owner": owner, "team": to.Team, "percent": l.Progress,
		"company": l.Company, "due": "-", "overdue": "-"}
	if l.DueAt != nil {
		args["due"] = l.DueAt.In(r.zone(to)).Format("01-02 15:04")
		// Late as of when the alert was raised, not as of drawing, so
		// that a retry draws the same message (a platform's duplicate
		// check compares the whole request).
		at := n.At
		if at.IsZero() {
			at = r.clock.Now()
		}
		args["overdue"] = overdueText(at.Sub(*l.DueAt), lang)
	}
	key, body := "remind.title", "remind.body"
	if n.Kind == engine.NoticeAlert {
		key = map[string]string{"1": "alert.owner.title", "2": "alert.lead.title"}[n.Text]
		if key == "" {
			key = "alert.manager.title"
		}
		body = "alert.body"
	}
	if n.Kind == engine.NoticeAlert && n.Args["planned"] != "" {
		// Progress lags the plan: the alert came before the deadline.
		key = map[string]string{"1": "alert.lag_owner.title", "2": "alert.lag_lead.title"}[n.Text]
		body = "alert.lag_body"
		args["progress"], args["planned"] = n.Args["progress"], n.Args["planned"]
	}
	c.Key = fmt.Sprintf("%s:%s:%s", n.Kind, c.Key, n.Text)
	c.Title = i18n.T(lang, key, args)
	if l.Status == engine.StatusAssigned && l.Assignee != to.ID && to.Role != engine.RoleRep {
		c.Closed, c.State = false, ""
		c.Buttons = supervisorButtons(l, lang)
	}
	return Message{Text: i18n.T(lang, body, args), Card: c}, nil
}

// supervisorButtons are what a team lead or manager may do about a late
// lead of someone in their team.
func supervisorButtons(l engine.Lead, lang i18n.Lang) []Button {
	return []Button{
		{Label: i18n.T(lang, "button.extend", nil), Action: action(ActExtend, l.ID), Primary: true},
		{Label: i18n.T(lang, "button.reassign", nil), Action: action(ActReassign, l.ID)},
		{Label: i18n.T(lang, "button.release", nil), Action: action(ActReturn, l.ID)},
	}
}

// overdueText says how late something is, in whole hours or days.
func overdueText(d time.Duration, lang i18n.Lang) string {
	if d < 0 {
		d = 0
	}
	hours := int(d.Hours())
	if lang == i18n.EN {
		if hours >= 48 {
			return fmt.Sprintf("%d days", hours/24)
		}
		return fmt.Sprintf("%d h", hours)
	}
	if hours >= 48 {
		return fmt.Sprintf("%d 天", hours/24)
	}
	return fmt.Sprintf("%d 小时", hours)
}

// disputeHistory is how many of a lead's latest events an approval card
// shows, so the manager sees who held it when.
const disputeHistory = 5

func (r *Renderer) recentHistory(
	ctx context.Context,
	id engine.LeadID,
	to engine.Rep,
	lang i18n.Lang,
) string {
	events, err := r.src.LeadEvents(ctx, id)
	if err != nil || len(events) == 0 {
		return ""
	}
	lines := []string{i18n.T(lang, "show.history", nil)}
	for _, e := range events[max(0, len(events)-disputeHistory):] {
		args := i18n.Args{"at": e.At.In(r.zone(to)).Format("01-02 15:04"),
			"event": i18n.T(lang, "event."+string(e.Event), nil), "detail": e.Detail}
		key := "show.history_line"
		if e.Detail != "" {
			key = "show.history_line_detail"
		}
		lines = append(lines, i18n.T(lang, key, args))
	}
	return strings.Join(lines, "\n")
}

// TeamNotice writes a pool notice for a team's group chat, in the
// installation's language: read-only, so it says what to type.
func (r *Renderer) TeamNotice(ctx context.Context, n engine.Notice) (string, error) {
	if n.Kind == engine.NoticeTeamCheckpoint {
		return r.teamDigestText(n)
	}
	l, err := r.src.Lead(ctx, n.LeadID)
	if err != nil {
		return "", fmt.Errorf("draw team notice %s: %w", n.Key, err)
	}
	return i18n.T(r.lang, "team.pool", i18n.Args{
		"lead":    l.ID.String(),
		"company": l.Company,
		"tier":    i18n.T(r.lang, "tier."+string(l.Tier), nil),
		"score":   fmt.Sprintf("%.0f", l.Score),
	}), nil
}

// TeamCard draws the pool card of a team's group: a claim button while
// the lead is in the pool, then who took it. Whoever clicks is the one
// who claims, so the card is the same for every member.
func (r *Renderer) TeamCard(ctx context.Context, n engine.Notice) (*Card, error) {
	l, err := r.src.Lead(ctx, n.LeadID)
	if err != nil {
		return nil, fmt.Errorf("draw team card %s: %w", n.Key, err)
	}
	group := engine.Rep{ID: engine.RepID("team:" + n.Text), Team: n.Text, Role: engine.RoleRep}
	c, err := r.LeadCard(ctx, l, group)
	if err != nil {
		return nil, err
	}
	c.Title = i18n.T(r.lang, "card.pool.title", i18n.Args{"company": l.Company})
	if l.Status == engine.StatusPool {
		c.Closed, c.State, c.Note = false, "", i18n.T(r.lang, "card.pool.hint", i18n.Args{"lead": l.ID.String()})
		c.Buttons = []Button{{Label: i18n.T(r.lang, "button.claim", nil), Action: action(ActClaim, l.ID),
			Primary: true}}
	} else {
		c.Buttons = nil
	}
	return c, nil
}

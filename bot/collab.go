package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// collaboratorCard tells a rep they work on a lead beside its owner: the
// lead as a bystander sees it, why they were chosen, and no buttons,
// since the owner keeps every action. Once the lead closes or the
// collaboration ends, it says so.
func (r *Renderer) collaboratorCard(
	ctx context.Context,
	l engine.Lead,
	n engine.Notice,
	to engine.Rep,
) (*Card, error) {
	lang := r.Lang(to)
	var owner engine.Rep
	if l.Assignee != "" {
		var err error
		if owner, err = r.src.Rep(ctx, l.Assignee); err != nil {
			return nil, fmt.Errorf("draw lead %s: %w", l.ID, err)
		}
	}
	cs, err := r.src.Collaborators(ctx, l.ID)
	if err != nil {
		return nil, fmt.Errorf("draw lead %s: %w", l.ID, err)
	}
	args := i18n.Args{"lead": l.ID.String(), "company": l.Company, "name": owner.Name,
		"rule": n.Args["rule"]}
	title := "card.collab.title_squad"
	if engine.CollaboratorRole(n.Text) == engine.CollabPairing {
		title = "card.collab.title_pairing"
	}
	fields := r.leadFields(l, owner, to, lang)
	fields = append(fields, r.collabFields(ctx, cs, to, lang)...)
	fields = append(fields, Field{Label: i18n.T(lang, "card.field.why_collab", nil),
		Value: n.Args["reason"]})
	c := &Card{Key: fmt.Sprintf("%s:%s", l.ID, to.ID), LeadID: l.ID, Lead: l.ID.String(),
		Title: i18n.T(lang, title, args), Fields: fields,
		Note: i18n.T(lang, "card.collab.note", args)}
	switch {
	case l.Status.Closed():
		c.Closed, c.State, c.Note = true, r.stateLine(l, owner, lang), ""
	case !liveOn(cs, to.ID):
		c.Closed, c.State, c.Note = true, i18n.T(lang, "card.collab.ended", nil), ""
	}
	return c, nil
}

func liveOn(cs []engine.Collaborator, id engine.RepID) bool {
	for _, c := range cs {
		if c.RepID == id && c.Live() {
			return true
		}
	}
	return false
}

// collabFields is the card line naming a lead's live collaborators;
// none without any.
func (r *Renderer) collabFields(
	ctx context.Context,
	cs []engine.Collaborator,
	viewer engine.Rep,
	lang i18n.Lang,
) []Field {
	list := r.collabList(ctx, cs, r.zone(viewer), lang)
	if list == "" {
		return nil
	}
	return []Field{{Label: i18n.T(lang, "card.field.collaborators", nil), Value: list}}
}

// collabList names the live collaborators with their role: "王五（临时
// 小组，至 12-18 09:00）、赵六（配对规则「大单」）".
func (r *Renderer) collabList(
	ctx context.Context,
	cs []engine.Collaborator,
	zone *time.Location,
	lang i18n.Lang,
) string {
	var items []string
	for _, c := range cs {
		if !c.Live() {
			continue
		}
		args := i18n.Args{"name": r.name(ctx, c.RepID), "rule": c.Rule}
		key := "collab.pairing"
		if c.Role == engine.CollabSquad {
			key = "collab.squad"
			if c.EndsAt != nil {
				key = "collab.squad_until"
				args["until"] = c.EndsAt.In(zone).Format("01-02 15:04")
			}
		}
		items = append(items, i18n.T(lang, key, args))
	}
	return strings.Join(items, i18n.T(lang, "collab.sep", nil))
}

package dingtalk

import (
	"context"
	"log/slog"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Channel delivers notices to reps in DingTalk: texts as robot
// one-to-one messages, cards as interactive cards when a template is
// configured and as markdown with command hints otherwise.
type Channel struct {
	api      *API
	template string
	lang     i18n.Lang
	log      *slog.Logger
	// groups maps a team to its group's openConversationId.
	groups map[string]string
}

var _ bot.Channel = (*Channel)(nil)

// NewChannel returns the channel over api. lang is the language for reps
// whose profile names none.
func NewChannel(api *API, lang i18n.Lang, log *slog.Logger) *Channel {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Channel{api: api, template: api.cfg.CardTemplateID, lang: lang, log: log}
}

// Name returns "dingtalk".
func (c *Channel) Name() string { return Platform }

// Reaches reports whether the rep has a DingTalk staff id.
func (c *Channel) Reaches(r engine.Rep) bool { return r.DingTalkUserID != "" }

func (c *Channel) langOf(r engine.Rep) i18n.Lang {
	if r.Language != "" {
		return i18n.Parse(r.Language)
	}
	return c.lang
}

// Send delivers m to the rep. A card drawn from the template comes back
// with its outTrackId as ref, to update it later; markdown and texts
// have no ref. Errors wrap ErrThrottled when DingTalk asks to slow down
// and bot.ErrPermanent when a retry cannot help.
func (c *Channel) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	lang := c.langOf(to)
	users := []string{to.DingTalkUserID}
	switch {
	case m.Card == nil:
		_, err := c.api.SendToUsers(ctx, users, "sampleText", map[string]string{"content": m.Text})
		return "", err
	case c.template == "":
		title, text := markdown(m, lang)
		_, err := c.api.SendToUsers(ctx, users, "sampleMarkdown",
			map[string]string{"title": title, "text": text})
		return "", err
	}
	ref := outTrackID(m.Card)
	if err := c.api.CreateCard(ctx, ref, to.DingTalkUserID, cardParams(m, lang)); err != nil {
		return "", err
	}
	return ref, nil
}

// Update redraws a card delivered before by its outTrackId. Markdown
// cards cannot be changed: the rep types "详情 N" to see the lead now.
func (c *Channel) Update(
	ctx context.Context, d engine.Delivery, to engine.Rep, m bot.Message,
) error {
	if m.Card == nil || d.Ref == "" || c.template == "" {
		// TODO: markdown cards stay as sent; a closed pool card still
		// shows its claim hint, and the click gets the stale answer.
		c.log.Debug("card not updatable", slog.String("platform", Platform),
			slog.String("rep_id", string(to.ID)), slog.String("lead_id", d.LeadID.String()))
		return nil
	}
	return c.api.UpdateCard(ctx, d.Ref, cardParams(m, c.langOf(to)))
}

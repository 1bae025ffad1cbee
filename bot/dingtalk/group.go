package dingtalk

import (
	"context"
	"fmt"

	"github.com/leadbot/leadbot/bot"
)

var _ bot.TeamCardChannel = (*Channel)(nil)

// WithGroups names each team's group chat by its openConversationId, for
// notices to the team, and returns the channel.
func (c *Channel) WithGroups(groups map[string]string) *Channel {
	c.groups = groups
	return c
}

// NotifyTeam posts a markdown notice to the team's group through the
// robot. A team without a group configured is bot.ErrNoTeamRoute.
func (c *Channel) NotifyTeam(ctx context.Context, team, text string) error {
	id := c.groups[team]
	if id == "" {
		return fmt.Errorf("dingtalk team %s: %w", team, bot.ErrNoTeamRoute)
	}
	param := map[string]string{"title": text, "text": text}
	if err := c.api.SendToGroup(ctx, id, "sampleMarkdown", param); err != nil {
		return fmt.Errorf("notify team %s: %w", team, err)
	}
	return nil
}

// SendTeamCard posts the team's pool card to its group: an interactive
// card when a template is configured, which any member may click, and
// otherwise the markdown notice, which cannot be updated (ref "").
func (c *Channel) SendTeamCard(ctx context.Context, team string, m bot.Message) (string, error) {
	id := c.groups[team]
	if id == "" {
		return "", fmt.Errorf("dingtalk team %s: %w", team, bot.ErrNoTeamRoute)
	}
	if c.template == "" || m.Card == nil {
		title, text := markdown(m, c.lang)
		err := c.api.SendToGroup(ctx, id, "sampleMarkdown", map[string]string{"title": title, "text": text})
		return "", err
	}
	ref := outTrackID(m.Card)
	if err := c.api.CreateGroupCard(ctx, ref, id, cardParams(m, c.lang)); err != nil {
		return "", fmt.Errorf("team %s card: %w", team, err)
	}
	return ref, nil
}

// UpdateTeamCard redraws a team's group card by its outTrackId.
func (c *Channel) UpdateTeamCard(ctx context.Context, team, ref string, m bot.Message) error {
	if ref == "" || m.Card == nil || c.template == "" {
		return nil
	}
	return c.api.UpdateCard(ctx, ref, cardParams(m, c.lang))
}

package dingtalk

import (
	"context"
	"fmt"

	"github.com/leadbot/leadbot/bot"
)

var _ bot.TeamChannel = (*Channel)(nil)

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

package dingtalk

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
)

func TestNotifyTeam(t *testing.T) {
	g := newGateway(t)
	ch := NewChannel(NewAPI(g.config(), nil), i18n.ZH, nil).WithGroups(map[string]string{"east": "cid-east"})
	ctx := context.Background()
	if err := ch.NotifyTeam(ctx, "east", "【公海新线索】L1 甲医院"); err != nil {
		t.Fatal(err)
	}
	calls := g.callsTo("/v1.0/robot/groupMessages/send")
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), "cid-east") ||
		!strings.Contains(string(calls[0].Body), "sampleMarkdown") {
		t.Errorf("group sends = %+v, want one markdown to cid-east", calls)
	}
	if err := ch.NotifyTeam(ctx, "west", "x"); !errors.Is(err, bot.ErrNoTeamRoute) {
		t.Errorf("a team without a group: err = %v, want ErrNoTeamRoute", err)
	}
}

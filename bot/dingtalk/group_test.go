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

func TestTeamCard(t *testing.T) {
	g := newGateway(t)
	cfg := g.config()
	cfg.CardTemplateID = "tpl.schema"
	ch := NewChannel(NewAPI(cfg, nil), i18n.ZH, nil).WithGroups(map[string]string{"east": "cid-east"})
	ctx := context.Background()
	card := &bot.Card{Key: "L1:team:east", Lead: "L1", Title: "公海新线索：甲医院",
		Buttons: []bot.Button{{Label: "抢单", Action: "claim:L1", Primary: true}}}
	ref, err := ch.SendTeamCard(ctx, "east", bot.Message{Card: card})
	if err != nil || ref == "" {
		t.Fatalf("SendTeamCard = %q, %v", ref, err)
	}
	created := g.callsTo("/v1.0/card/instances/createAndDeliver")
	if len(created) != 1 || !strings.Contains(string(created[0].Body), "dtv1.card//IM_GROUP.cid-east") {
		t.Errorf("create calls = %+v, want one card in the east group", created)
	}
	card.Closed, card.State, card.Buttons = true, "已被 张三 抢走", nil
	if err := ch.UpdateTeamCard(ctx, "east", ref, bot.Message{Card: card}); err != nil {
		t.Fatal(err)
	}
	if updates := g.callsTo("/v1.0/card/instances"); len(updates) != 1 ||
		!strings.Contains(string(updates[0].Body), ref) {
		t.Errorf("update calls = %+v, want the group card redrawn by %s", updates, ref)
	}
	if _, err := ch.SendTeamCard(ctx, "west", bot.Message{Card: card}); !errors.Is(err, bot.ErrNoTeamRoute) {
		t.Errorf("team without a group: %v", err)
	}
}

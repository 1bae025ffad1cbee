package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// Under the team rule a rep of another team neither lists, sees nor
// claims the lead, in Chinese or English; its team's rep does all three.
func TestChatPoolVisibility(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		c := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModePool
		p.Visibility = engine.PoolVisibility{Rules: []engine.VisibilityRule{engine.VisibleTeam},
			RegionTeams: map[string]string{"east": "east"}}
		svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
		for _, r := range []engine.Rep{
			{ID: "e", Name: "张三", Role: engine.RoleRep, Team: "east", Capacity: 2, Active: true},
			{ID: "w", Name: "李四", Role: engine.RoleRep, Team: "west", Capacity: 2, Active: true},
			{ID: "we", Name: "Amy", Role: engine.RoleRep, Team: "west", Capacity: 2, Active: true,
				Language: "en"},
		} {
			if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		in := engine.LeadInput{ExternalID: "v", Profile: engine.Profile{Company: "东方医院", Region: "east"}}
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		rend := bot.NewRenderer(s, "zh-CN", time.UTC).WithPool(svc)
		core := bot.NewCore(svc, rend, nil)
		say := func(user, text string) bot.Reply {
			r, err := s.Rep(ctx, engine.RepID(user))
			if err != nil {
				t.Fatal(err)
			}
			return core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: text})
		}
		card := func(user string) *bot.Card {
			r, _ := s.Rep(ctx, engine.RepID(user))
			l, _ := s.Lead(ctx, 1)
			c, err := rend.LeadCard(ctx, l, r)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		if b := card("w").Buttons; len(b) != 0 {
			t.Errorf("pool card for the west rep has buttons %+v, want no claim button", b)
		}
		if b := card("e").Buttons; len(b) != 1 || b[0].Action != "claim:L1" {
			t.Errorf("pool card for the east rep has buttons %+v, want the claim button", b)
		}

		steps := []struct {
			name, user, text, want string
		}{
			{"other team's list", "w", "公海", "公海里暂时没有"},
			{"other team's show", "w", "详情 1", "不在你名下"},
			{"other team's claim", "w", "抢单 1", "不在你可见的公海范围内"},
			{"in English", "we", "claim 1", "not in the part of the pool you may claim from"},
			{"own team's list", "e", "公海", "L1"},
			{"own team's claim", "e", "抢单 1", "已抢到 L1"},
		}
		for _, st := range steps {
			if got := say(st.user, st.text).Text; !strings.Contains(got, st.want) {
				t.Errorf("%s: reply %q, want it to contain %q", st.name, got, st.want)
			}
		}
	})
}

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

// In December New York (UTC-5) shares none of a Shanghai (UTC+8)
// customer's working day: its reps are told why they may not claim, in
// their language, and get no claim button.
func TestChatClaimOutOfHours(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		c := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode = engine.ModePool
		svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
		for _, r := range []engine.Rep{
			{ID: "ny", Name: "王五", Role: engine.RoleRep, Capacity: 2, Active: true,
				Timezone: "America/New_York"},
			{ID: "nyen", Name: "Bob", Role: engine.RoleRep, Capacity: 2, Active: true,
				Timezone: "America/New_York", Language: "en"},
			{ID: "cn", Name: "张三", Role: engine.RoleRep, Capacity: 2, Active: true,
				Timezone: "Asia/Shanghai"},
		} {
			if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		in := engine.LeadInput{ExternalID: "z", Timezone: "Asia/Shanghai",
			Profile: engine.Profile{Company: "东方医院"}}
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		rend := bot.NewRenderer(s, "zh-CN", time.UTC).WithPool(svc)
		core := bot.NewCore(svc, rend, nil)
		say := func(user, text string) string {
			r, err := s.Rep(ctx, engine.RepID(user))
			if err != nil {
				t.Fatal(err)
			}
			return core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: text}).Text
		}
		r, _ := s.Rep(ctx, "ny")
		l, _ := s.Lead(ctx, 1)
		if card, err := rend.LeadCard(ctx, l, r); err != nil || len(card.Buttons) != 0 {
			t.Errorf("pool card for ny = %+v, %v; want no claim button", card, err)
		}
		steps := []struct{ name, user, text, want string }{
			{"chinese", "ny", "抢单 1", "L1 的客户所在时区与你的工作时间重叠太少"},
			{"english", "nyen", "claim 1", "L1's customer shares too few working hours with you"},
			{"same zone", "cn", "抢单 1", "已抢到 L1"},
		}
		for _, st := range steps {
			if got := say(st.user, st.text); !strings.Contains(got, st.want) {
				t.Errorf("%s: reply %q, want it to contain %q", st.name, got, st.want)
			}
		}
	})
}

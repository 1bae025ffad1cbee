package bot_test

import (
	"context"
	"testing"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// "我的指标" and "my quota" show a rep's part of the team's targets, or
// their own, with progress. It is Friday 02:00 UTC: 98 of the week's
// 168 hours and 74 of December's 744 have passed.
func TestQuotaCommand(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		boss := engine.Rep{ID: "boss", Name: "赵六", Role: engine.RoleManager, Team: "hq",
			Active: true}
		en := engine.Rep{ID: "en", Name: "Amy", Role: engine.RoleRep, Capacity: 1, Active: true,
			Language: "en"}
		for _, r := range []engine.Rep{boss, en} {
			if _, err := f.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		targets := []engine.TargetInput{
			{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricClaimed, Amount: 6},
			{Rep: "en", Period: engine.PeriodMonth, Metric: engine.MetricRevenue, Amount: 1000},
		}
		for _, in := range targets {
			if _, err := f.svc.PutTarget(ctx, in, "boss"); err != nil {
				t.Fatal(err)
			}
		}
		f.intake(t, "x")
		if _, err := f.svc.Claim(ctx, 1, "r1", "r1"); err != nil {
			t.Fatal(err)
		}
		core := bot.NewCore(f.svc, f.rend, nil)
		say := func(user, text string) string {
			r, err := s.Rep(ctx, engine.RepID(user))
			if err != nil {
				t.Fatal(err)
			}
			return core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: text}).Text
		}
		tests := []struct {
			user, text, want string
		}{
			{"r1", "我的指标", "你的指标：\n本周抢单：完成 1 / 2（50%），进度正常"},
			{"r2", "指标", "你的指标：\n本周抢单：完成 0 / 2（0%），落后，按时间此时应完成 1"},
			{"en", "my quota", "Your targets:\n" +
				"This month revenue won: 0 of 1000 (0%), behind, 99 expected by now"},
			{"boss", "我的指标", "你本周、本月、本季度都没有指标。"},
		}
		for _, tt := range tests {
			if got := say(tt.user, tt.text); got != tt.want {
				t.Errorf("%s says %q: %q, want %q", tt.user, tt.text, got, tt.want)
			}
		}
	})
}

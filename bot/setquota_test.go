package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// "设指标" and "set quota" set a team's or a rep's target and answer with
// its breakdown in the current week. Team east has r1, r2 (capacity 5)
// and r3 (capacity 10); r1 has claimed one lead this week.
func TestSetQuotaCommand(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		reps := []engine.Rep{
			{ID: "r3", Name: "r3", Role: engine.RoleRep, Team: "east", Capacity: 10,
				Active: true},
			{ID: "lily", Name: "李丽", Role: engine.RoleLead, Team: "east", Active: true},
			{ID: "boss", Name: "Bo", Role: engine.RoleManager, Team: "hq", Active: true,
				Language: "en"},
		}
		for _, r := range reps {
			if _, err := f.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		f.intake(t, "x")
		if _, err := f.svc.Claim(ctx, 1, "r1", "r1"); err != nil {
			t.Fatal(err)
		}
		core := bot.NewCore(f.svc, f.rend, nil)
		tests := []struct {
			user, text, want string
		}{
			// 8 by capacity 5:5:10 is 2, 2 and 4.
			{"lily", "设指标 east 每周 抢单 8 按容量", "已设定团队 east的每周抢单指标：8（G1）。\n" +
				"本周按容量分配：\nr1：完成 1 / 2\nr2：完成 0 / 2\nr3：完成 0 / 4"},
			{"r2", "设指标 east 每周 抢单 6", "只有经理，或团队 east 的组长，可以设定这个指标。"},
			{"lily", "设指标 west 每周 抢单 6", "没有团队“west”：花名册上没有人在这个团队。"},
			{"lily", "设指标 " + strings.Repeat("东", 200) + " 每周 抢单 6",
				"没有团队“" + strings.Repeat("东", 200) + "”：花名册上没有人在这个团队。"},
			{"lily", "设指标 @nobody 每周 won 1", "找不到“nobody”，请写同事的姓名或编号。"},
			{"lily", "设指标 east 每天 抢单 6",
				"“每天”不是周期，请写 每周、每月 或 每季。用法：" +
					"设指标 east 每周 抢单 20，或 设指标 @张三 每月 赢单 5（周期：每周、每月、每季；可加“按容量”）"},
			{"boss", "set quota @r3 week claimed 3",
				"Set r3's weekly leads claimed target to 3 (G2).\nThis week:\nr3: 0 of 3"},
			// r3 keeps their own 3; the other 6 of 9 go evenly to r1 and r2.
			{"lily", "设指标 east 周 claimed 9", "已设定团队 east的每周抢单指标：9（G3）。\n" +
				"本周按人平均分配：\nr1：完成 1 / 3\nr2：完成 0 / 3\nr3：完成 0 / 3（个人指标）"},
			{"r1", "我的指标", "你的指标：\n本周抢单：完成 1 / 3（33%），进度正常"},
			{"lily", "设指标 @r3 每周 抢单 0", "已结束r3的每周抢单指标（G4）。"},
			{"r3", "我的指标", "你的指标：\n本周抢单：完成 0 / 3（0%），落后，按时间此时应完成 1"},
			{"boss", "set quota east week claimed 0",
				"Ended team east's weekly leads claimed target (G5)."},
			{"r1", "我的指标", "你本周、本月、本季度都没有指标。"},
		}
		for _, tt := range tests {
			r, err := s.Rep(ctx, engine.RepID(tt.user))
			if err != nil {
				t.Fatal(err)
			}
			in := bot.Inbound{Platform: "test", User: r, Text: tt.text}
			if got := core.Handle(ctx, in).Text; got != tt.want {
				t.Errorf("%s says %q:\n%s\nwant\n%s", tt.user, tt.text, got, tt.want)
			}
		}
	})
}

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

// Setting a target close date and marking milestones done in chat, in
// both languages, and what the details and the milestone card show.
func TestCoreTargetAndMilestones(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		en := engine.Rep{ID: "en", Name: "Amy", Role: engine.RoleRep, Team: "east", Capacity: 2,
			Active: true, Language: "en"}
		if _, err := f.svc.PutRep(ctx, en, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		f.intake(t, "x")
		f.intake(t, "y")
		core := bot.NewCore(f.svc, f.rend, nil)
		say := func(user, text string) string {
			r, err := s.Rep(ctx, engine.RepID(user))
			if err != nil {
				t.Fatal(err)
			}
			reply := core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: text})
			out := reply.Text
			if reply.Card != nil {
				for _, fl := range reply.Card.Fields {
					out += " | " + fl.Label + " " + fl.Value
				}
			}
			return out
		}
		// Working days Monday to Friday in UTC: 30, 20 and 10 before
		// Friday 2027-01-29 are 12-18, 01-01 and 01-15.
		steps := []struct {
			user, text string
			want       []string
		}{
			{"r1", "抢单 1", []string{"L1"}},
			{"r1", "目标 1 2027-01-29", []string{"2027-01-29", "联系决策人：2026-12-18（待完成）",
				"演示：2027-01-01（待完成）", "方案报价：2027-01-15（待完成）",
				"下一个里程碑 联系决策人 2026-12-18"}},
			{"r1", "目标 1 2026-01-01", []string{"2026-01-01 已经过去了"}},
			{"r2", "目标 1 2027-01-29", []string{"不在你名下"}},
			{"r1", "里程碑 1 演示", []string{"「演示」已完成"}},
			{"r1", "里程碑 1 演示", []string{"已经完成了"}},
			{"r1", "里程碑 2 演示", []string{"不在你名下"}},
			{"r1", "详情 1", []string{"目标成交日：2027-01-29", "演示：2027-01-01（已完成）",
				"设置目标成交日", "里程碑完成"}},
			{"en", "claim 2", []string{"L2"}},
			{"en", "milestone 2 demo", []string{"has no such milestone", "target L2 2027-01-31"}},
			{"en", "target 2 2027-01-29", []string{"Milestones:", "Demo: 2027-01-01 (to do)"}},
			{"en", "milestone 2 lunch", []string{"\"lunch\" isn't a milestone"}},
			{"en", "target 2 soon", []string{"\"soon\" isn't a date"}},
		}
		for _, st := range steps {
			got := say(st.user, st.text)
			for _, w := range st.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %q: reply %q, want it to contain %q", st.user, st.text, got, w)
				}
			}
		}

		r1, _ := s.Rep(ctx, "r1")
		n := engine.Notice{Kind: engine.NoticeMilestone, LeadID: 1, To: "r1", Text: "demo",
			Args: map[string]string{"stage": "remind", "due": "2027-01-01T18:00:00Z"}}
		m, err := f.rend.Notice(ctx, n, r1)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Card.Closed || m.Card.State != "里程碑已完成" || len(m.Card.Buttons) != 0 {
			t.Errorf("reminder of a milestone done = %+v, want a closed card saying it is done", m.Card)
		}
		n.Text = "proposal"
		if m, _ := f.rend.Notice(ctx, n, r1); m.Card.Closed ||
			!strings.Contains(m.Card.Title, "「方案报价」将于 01-01 18:00 到期") {
			t.Errorf("reminder of an open milestone = %+v", m.Card)
		}
	})
}

// Cadence nudges and silence alerts read as the owner and the team lead
// should see them.
func TestCadenceCards(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		tl := engine.Rep{ID: "tl", Name: "王五", Role: engine.RoleLead, Team: "east", Active: true,
			Timezone: "Asia/Shanghai"}
		if _, err := f.svc.PutRep(ctx, tl, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		f.intake(t, "x")
		if _, err := f.svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		last := map[string]string{"per_week": "2", "days": "14", "last": "2026-12-04T02:00:00Z"}
		tests := []struct {
			to          engine.RepID
			kind        engine.NoticeKind
			title, text string
		}{
			{"r1", engine.NoticeCadence, "L1 的跟进节奏落后了", "要求每周跟进 2 次，上次跟进在 12-04 02:00"},
			{"r1", engine.NoticeSilence, "L1 已经 14 天没有跟进了", "上次跟进：12-04 02:00"},
			{"tl", engine.NoticeSilence, "r1 的线索 L1 已经 14 天没有跟进", "上次跟进：12-04 10:00"},
		}
		for _, tt := range tests {
			to, _ := s.Rep(ctx, tt.to)
			m, err := f.rend.Notice(ctx, engine.Notice{Kind: tt.kind, LeadID: 1, To: tt.to, Args: last}, to)
			if err != nil {
				t.Fatal(err)
			}
			if m.Card == nil || m.Card.Title != tt.title || !strings.Contains(m.Text, tt.text) {
				t.Errorf("%s to %s = %q / %q, want title %q and text with %q", tt.kind, tt.to,
					m.Card.Title, m.Text, tt.title, tt.text)
			}
		}
	})
}

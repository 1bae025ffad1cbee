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

// A conversation through the chat core, as a team would have it: every
// reply names what happened, and refusals change nothing.
func TestCoreConversation(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		boss := engine.Rep{ID: "boss", Name: "赵六", Role: engine.RoleManager, Team: "east", Active: true}
		en := engine.Rep{ID: "en", Name: "Amy", Role: engine.RoleRep, Capacity: 1, Active: true, Language: "en"}
		for _, r := range []engine.Rep{boss, en} {
			if _, err := f.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		f.intake(t, "x")
		f.intake(t, "y")
		core := bot.NewCore(f.svc, f.rend, nil)
		say := func(user, text string) bot.Reply {
			r, err := s.Rep(ctx, engine.RepID(user))
			if err != nil {
				t.Fatal(err)
			}
			return core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: text})
		}
		click := func(user, act, value string) bot.Reply {
			r, _ := s.Rep(ctx, engine.RepID(user))
			return core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Action: act, Value: value})
		}

		steps := []struct {
			name  string
			reply func() bot.Reply
			want  string
		}{
			{"help", func() bot.Reply { return say("r1", "帮助") }, "抢单 12 / claim 12"},
			{"pool", func() bot.Reply { return say("r1", "公海") }, "L1 公司 x"},
			{"garbage", func() bot.Reply { return say("r1", "随便说点什么") }, "没看懂"},
			{"claim without id", func() bot.Reply { return say("r1", "抢单") }, "请写上线索编号"},
			{"claim", func() bot.Reply { return say("r1", "抢单 #１") }, "已抢到 L1"},
			{"claim taken", func() bot.Reply { return say("r2", "claim 1") }, "已被 r1 抢走"},
			{"stale click", func() bot.Reply { return click("r2", "claim:L1", "") }, "已被 r1 抢走"},
			{"mine", func() bot.Reply { return say("r1", "我的") }, "L1 公司 x"},
			{"progress by other", func() bot.Reply { return say("r2", "进度 1 30") }, "不在你名下"},
			{"progress", func() bot.Reply { return say("r1", "进度 1 40 已约拜访") }, "40%"},
			{"progress click", func() bot.Reply { return click("r1", "progress:L1", "60") }, "60%"},
			{"accept", func() bot.Reply { return click("r1", "accept:L1", "") }, "已接受 L1"},
			{"show", func() bot.Reply { return say("r1", "详情 1") }, "已约拜访"},
			{"show to stranger", func() bot.Reply { return say("r2", "详情 1") }, "不在你名下"},
			{"manager sees all", func() bot.Reply { return say("boss", "详情 1") }, "线索 L1"},
			{"transfer", func() bot.Reply { return say("r1", "转交 1 @r2") }, "已把 L1 转交给 r2"},
			{"transfer unknown", func() bot.Reply { return say("r2", "转交 1 @nobody") }, "没有找到“nobody”"},
			{"dispute", func() bot.Reply { return say("r1", "申诉 1 这是我三月登记的客户") }, "已提交申诉 D1"},
			{"dispute click", func() bot.Reply { return click("r3", "dispute:L1", "我先登记的") }, "已提交申诉 D2"},
			{"dispute click empty", func() bot.Reply { return click("r3", "dispute:L1", " ") }, "申诉 L1 理由"},
			{"commission share", func() bot.Reply { return say("r3", "申诉 1 提成 50% 一起跟的单") }, "已提交申诉 D3"},
			{"done", func() bot.Reply { return say("r2", "完成 1 赢单 28万") }, "恭喜成交"},
			{"done again", func() bot.Reply { return click("r2", "won:L1", "") }, "过期"},
			{"english user", func() bot.Reply { return say("en", "claim 2") }, "L2"},
			{"english full", func() bot.Reply { return say("en", "pool") }, "pool"},
		}
		for _, st := range steps {
			got := st.reply()
			text := got.Text
			if got.Card != nil {
				text += " | " + got.Card.Title + " " + got.Card.State
				for _, fl := range got.Card.Fields {
					text += " " + fl.Value
				}
			}
			if !strings.Contains(text, st.want) {
				t.Errorf("%s: reply %q, want it to contain %q", st.name, text, st.want)
			}
		}

		l, _ := s.Lead(ctx, 1)
		if l.Status != engine.StatusWon || l.Assignee != "r2" || *l.ClosedAmount != 280000 {
			t.Errorf("L1 = %s %q %v, want won by r2 for 280000", l.Status, l.Assignee, *l.ClosedAmount)
		}
		ds, _ := s.Disputes(ctx, engine.DisputeFilter{LeadID: 1})
		if len(ds) != 3 || ds[0].Proposed == nil || *ds[0].Proposed != 0.5 || ds[0].Reason != "一起跟的单" {
			t.Errorf("newest dispute = %+v, want a proposed half share with the reason alone", ds[0])
		}
		if r := core.Stranger("zh-CN"); !strings.Contains(r.Text, "还没有在 Leadbot 登记") {
			t.Errorf("stranger reply = %q", r.Text)
		}
	})
}

func TestCoreTransferApproval(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		c := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Mode, p.TransferApproval = engine.ModeAuto, true
		svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
		for _, r := range []engine.Rep{
			{ID: "r1", Name: "张三", Role: engine.RoleRep, Team: "east", Capacity: 2, Active: true},
			{ID: "r2", Name: "李四", Role: engine.RoleRep, Team: "east", Capacity: 2, Active: true},
			{ID: "tl", Name: "王五", Role: engine.RoleLead, Team: "east", Active: true},
		} {
			if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		in := engine.LeadInput{ExternalID: "t", Profile: engine.Profile{Company: "甲"}}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil {
			t.Fatal(err)
		}
		// r1 and r2 tie for the lead: whoever got it hands it to the other.
		from, to, toName := "r1", "r2", "李四"
		if l.Assignee == "r2" {
			from, to, toName = "r2", "r1", "张三"
		}
		rend := bot.NewRenderer(s, "zh-CN", time.UTC)
		core := bot.NewCore(svc, rend, nil)
		as := func(id string) engine.Rep { r, _ := s.Rep(ctx, engine.RepID(id)); return r }

		r := core.Handle(ctx, bot.Inbound{User: as(from), Text: "转交 1 " + toName})
		if !strings.Contains(r.Text, "需要审批") || !strings.Contains(r.Text, "王五") {
			t.Fatalf("transfer reply = %q, want it waiting for 王五", r.Text)
		}
		card, err := rend.Notice(ctx, engine.Notice{Kind: engine.NoticeTransfer, LeadID: 1, Text: "T1"}, as("tl"))
		if err != nil || len(card.Card.Buttons) != 2 {
			t.Fatalf("approval card = %+v, %v; want approve and reject", card.Card, err)
		}
		approve := card.Card.Buttons[0].Action
		if r := core.Handle(ctx, bot.Inbound{User: as(to), Action: approve}); !strings.Contains(r.Text, "不能进行这个操作") {
			t.Errorf("a rep clicking approve = %q, want a refusal", r.Text)
		}
		if r := core.Handle(ctx, bot.Inbound{User: as("tl"), Action: approve}); !strings.Contains(r.Text, "已通过") {
			t.Errorf("lead approves = %q", r.Text)
		}
		if r := core.Handle(ctx, bot.Inbound{User: as("tl"), Action: approve}); !strings.Contains(r.Text, "过期") {
			t.Errorf("second approval click = %q, want the stale-card answer", r.Text)
		}
		if l, _ := s.Lead(ctx, 1); string(l.Assignee) != to {
			t.Errorf("lead after approval held by %q, want %s", l.Assignee, to)
		}
		after, _ := rend.Notice(ctx, engine.Notice{Kind: engine.NoticeTransfer, LeadID: 1, Text: "T1"}, as("tl"))
		if !after.Card.Closed || !strings.Contains(after.Card.State, "王五") {
			t.Errorf("approval card after the decision = %+v, want closed, approved by 王五", after.Card)
		}
	})
}

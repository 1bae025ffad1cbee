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

// A rep a pairing rule adds is told by a card of their own, may see the
// lead with "详情", and the owner's card and details name them.
func TestCollaboratorCard(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		c := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
		over := 500000.0
		p := engine.DefaultPolicy
		p.Mode = engine.ModeAuto
		p.Collaboration = engine.DefaultCollaborationOptions
		p.Collaboration.Pairing = []engine.PairingRule{{Name: "大单配技术顾问",
			When: engine.PairingCondition{AmountOver: &over},
			Add:  engine.PairingTarget{Tag: "technical_consultant"}}}
		svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
		for _, r := range []engine.Rep{
			{ID: "r1", Name: "张三", Role: engine.RoleRep, Capacity: 2, Active: true},
			{ID: "tc", Name: "顾问甲", Role: engine.RoleRep, Active: true, Language: "en",
				Skills: []string{"technical_consultant"}},
			{ID: "r2", Name: "李四", Role: engine.RoleRep, Capacity: 2, Active: true},
		} {
			if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		in := engine.LeadInput{ExternalID: "big", Profile: engine.Profile{Company: "大厂",
			ExpectedAmount: 800000}}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil || l.Assignee != "r1" {
			t.Fatalf("intake = %q, %v; want r1", l.Assignee, err)
		}
		rend := bot.NewRenderer(s, "zh-CN", time.UTC)
		as := func(id string) engine.Rep { r, _ := s.Rep(ctx, engine.RepID(id)); return r }
		cs, err := svc.Collaborators(ctx, l.ID)
		if err != nil || len(cs) != 1 {
			t.Fatalf("collaborators = %v, %v", cs, err)
		}
		n := engine.Notice{Kind: engine.NoticeCollaborator, LeadID: l.ID, To: "tc",
			Text: string(cs[0].Role), Args: map[string]string{"rule": cs[0].Rule, "reason": cs[0].Reason}}

		m, err := rend.Notice(ctx, n, as("tc"))
		if err != nil || m.Card == nil {
			t.Fatalf("collaborator notice = %+v, %v", m, err)
		}
		if want := "Please help: 大厂 (pairing rule 大单配技术顾问)"; m.Card.Title != want || m.Card.Closed || len(m.Card.Buttons) != 0 {
			t.Errorf("card = %q closed %t buttons %d, want %q, open, no buttons", m.Card.Title, m.Card.Closed, len(m.Card.Buttons), want)
		}
		if fields := fieldText(m.Card); !strings.Contains(fields, "顾问甲 (pairing rule 大单配技术顾问)") ||
			!strings.Contains(fields, "配对规则「大单配技术顾问」：作为technical_consultant加入（负载 0）") {
			t.Errorf("card fields = %q, want the collaborators and why", fields)
		}
		owner, err := rend.LeadCard(ctx, l, as("r1"))
		if err != nil || !strings.Contains(fieldText(owner), "顾问甲（配对规则「大单配技术顾问」）") {
			t.Errorf("owner's card fields = %q, %v; want the collaborator named", fieldText(owner), err)
		}

		core := bot.NewCore(svc, rend, nil)
		if r := core.Handle(ctx, bot.Inbound{User: as("tc"), Text: "详情 1"}); !strings.Contains(r.Text, "Collaborators: 顾问甲 (pairing rule") {
			t.Errorf("collaborator's show = %q, want the details with collaborators", r.Text)
		}
		if r := core.Handle(ctx, bot.Inbound{User: as("r2"), Text: "详情 1"}); !strings.Contains(r.Text, "不在你名下") {
			t.Errorf("stranger's show = %q, want a refusal", r.Text)
		}

		c.Add(time.Hour)
		if _, err := svc.RecordOutcome(ctx, l.ID, engine.Won, nil, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		l, _ = s.Lead(ctx, l.ID)
		m, err = rend.Notice(ctx, n, as("tc"))
		if err != nil || !m.Card.Closed || m.Card.State != "Closed: won" || m.Card.Note != "" {
			t.Errorf("card after close = %+v, %v; want closed as won", m.Card, err)
		}
		if r := core.Handle(ctx, bot.Inbound{User: as("tc"), Text: "详情 1"}); !strings.Contains(r.Text, "isn't yours") {
			t.Errorf("released collaborator's show = %q, want a refusal", r.Text)
		}
	})
}

func fieldText(c *bot.Card) string {
	if c == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range c.Fields {
		b.WriteString(f.Label + "=" + f.Value + "; ")
	}
	return b.String()
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// healthWorld is team east: a holds L2 and L3 over a capacity of one,
// L1 (tier A) is in the pool, c is away holding L4 (tier A), b has
// room; 组长 leads the team. The
// digest has gone out and the capture channel holds it.
type healthWorld struct {
	svc  *engine.Service
	core *bot.Core
	ch   *capture
	reps map[engine.RepID]engine.Rep
}

func healthFixture(t *testing.T, s *storage.Store) healthWorld {
	t.Helper()
	ctx := context.Background()
	clock := enginetest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode, p.Schedule.Quiet = engine.ModeAuto, engine.QuietHours{}
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	put := func(r engine.Rep) {
		t.Helper()
		r.Team, r.Active = "east", true
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	put(engine.Rep{ID: "lead", Name: "组长", Role: engine.RoleLead})
	put(engine.Rep{ID: "a", Name: "Amy", Role: engine.RoleRep, Capacity: 10})
	intake := func(i int, to engine.RepID) {
		t.Helper()
		prob := 0.9
		in := engine.LeadInput{ExternalID: fmt.Sprint("h", i), Profile: engine.Profile{
			Company: fmt.Sprint("Acme ", i), ExpectedAmount: 500000, CloseProbability: &prob}}
		l, _, err := svc.Intake(ctx, in, engine.ActorAPI)
		if err != nil || l.Tier != engine.TierA || l.Assignee != to {
			t.Fatalf("intake h%d = tier %s to %q, %v", i, l.Tier, l.Assignee, err)
		}
	}
	for i := range 3 {
		intake(i+1, "a")
	}
	if _, err := svc.Release(ctx, 1, "a"); err != nil {
		t.Fatal(err)
	}
	put(engine.Rep{ID: "a", Name: "Amy", Role: engine.RoleRep, Capacity: 2})
	put(engine.Rep{ID: "c", Name: "Cal", Role: engine.RoleRep, Capacity: 10})
	intake(4, "c")
	put(engine.Rep{ID: "c", Name: "Cal", Role: engine.RoleRep, Capacity: 10, Away: true})
	put(engine.Rep{ID: "a", Name: "Amy", Role: engine.RoleRep, Capacity: 1})
	put(engine.Rep{ID: "b", Name: "Ben", Role: engine.RoleRep, Capacity: 10})

	every, _ := cron.ParseStandard("CRON_TZ=UTC 0 9 * * mon")
	rep := insight.NewReporter(s, insight.Settings{Thresholds: insight.DefaultThresholds}, clock)
	rend := bot.NewRenderer(s, i18n.ZH, time.UTC).WithClock(clock)
	ch := &capture{sent: map[engine.RepID][]bot.Message{}}
	snd := bot.NewSender(s, s, rend, []bot.Channel{ch}, bot.SenderOptions{Clock: clock})
	for snd.Pass(ctx) > 0 {
	}
	ch.sent = map[engine.RepID][]bot.Message{}
	o := engine.HealthDigests{Every: every, Report: rep.DigestReport}
	if n, err := svc.ScanHealthDigest(ctx, o); err != nil || n != 1 {
		t.Fatalf("ScanHealthDigest = %d, %v; want the lead's digest", n, err)
	}
	for snd.Pass(ctx) > 0 {
	}
	reps := map[engine.RepID]engine.Rep{}
	all, _ := s.Reps(ctx)
	for _, r := range all {
		reps[r.ID] = r
	}
	return healthWorld{svc: svc, core: bot.NewCore(svc, rend, nil), ch: ch, reps: reps}
}

// The lead's digest card: the breached tiles first with their numbers,
// a button to assign the pooled L1 and one to apply the planned move,
// and the commands to type for both.
func TestHealthDigestCard(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		w := healthFixture(t, s)
		if len(w.ch.sent["lead"]) != 1 {
			t.Fatalf("the lead got %d messages, want the digest", len(w.ch.sent["lead"]))
		}
		m := w.ch.sent["lead"][0]
		c := m.Card
		if !m.Digest || c.Title != "east 团队健康周报 12-07" {
			t.Errorf("digest = %+v, want east's digest card", m)
		}
		// East's key accounts are L2, L3 with a and L4 with c, who is
		// away: 2 of 3 covered, an alert below the warning level of 80%.
		// The pooled L1 is the company's gap, offered to every team.
		want := bot.Field{Label: "重点客户覆盖率", Value: "67% (2/3) 告警：未达 80%"}
		if len(c.Fields) == 0 || c.Fields[0] != want {
			t.Errorf("fields = %+v, want %+v first", c.Fields, want)
		}
		if len(c.Buttons) != 3 {
			t.Fatalf("buttons = %+v, want assign L1, L4 and one move", c.Buttons)
		}
		moved := strings.TrimPrefix(c.Buttons[2].Label, "执行 ")
		wantButtons := []string{"改派 L1=cover:L1", "改派 L4=cover:L4",
			"执行 " + moved + "=move:" + moved + ":a>b"}
		for i, b := range c.Buttons {
			if got := b.Label + "=" + b.Action; got != wantButtons[i] {
				t.Errorf("button %d = %q, want %q", i, got, wantButtons[i])
			}
		}
		for _, s := range []string{"重点客户 L1（Acme 1）无人跟进", "重点客户 L4（Acme 4）的跟进人 Cal 不在岗",
			"从 Amy 转给 Ben：负载均衡", "没有按钮时请回复：改派 L1；改派 L4；改派 " + moved + " @Ben"} {
			if !strings.Contains(c.Note, s) {
				t.Errorf("note = %q, want it to say %q", c.Note, s)
			}
		}
		if !strings.HasPrefix(m.Text, "统计 11-30 09:00 至 12-07 09:00，") ||
			!strings.HasSuffix(m.Text, "项指标越线。") {
			t.Errorf("text = %q, want the week", m.Text)
		}
	})
}

// Clicking the digest's buttons acts once, answers a second click with
// "already done", refuses a stale move and a rep who is no supervisor.
func TestHealthDigestClicks(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w := healthFixture(t, s)
		c := w.ch.sent["lead"][0].Card
		move := c.Buttons[2].Action
		moved := strings.Split(move, ":")[1]
		other := "L2"
		if moved == "L2" {
			other = "L3"
		}
		steps := []struct {
			user   engine.RepID
			action string
			want   string
		}{
			{"a", "cover:L1", "只有"},
			{"lead", "cover:L1", "已把 L1 改派给 Ben"},
			{"lead", "cover:L1", "L1 已经处理过了，现在由 Ben 跟进"},
			{"lead", "cover:L4", "已把 L4 改派给 Ben"},
			{"lead", "cover:L4", "L4 已经处理过了，现在由 Ben 跟进"},
			{"a", move, "只有"},
			{"lead", move, "已把 " + moved + " 改派给 Ben"},
			{"lead", move, moved + " 已经处理过了，现在由 Ben 跟进"},
			{"lead", "move:" + other + ":lead>b", "这条建议已过时：" + other},
			{"lead", "move:" + other + ":a", "过期"},
		}
		for _, st := range steps {
			r := w.core.Handle(ctx, bot.Inbound{Platform: "test", User: w.reps[st.user], Action: st.action})
			if !strings.Contains(r.Text, st.want) {
				t.Errorf("%s clicks %s: %q, want it to say %q", st.user, st.action, r.Text, st.want)
			}
		}
		l1, _ := w.svc.Lead(ctx, 1)
		if l1.Assignee != "b" {
			t.Errorf("L1 is with %q, want b", l1.Assignee)
		}
	})
}

// Typed, "改派 L1" assigns a pooled lead as the cover button does.
func TestHealthDigestTypedCover(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		w := healthFixture(t, s)
		r := w.core.Handle(context.Background(), bot.Inbound{Platform: "test", User: w.reps["lead"],
			Text: "改派 L1"})
		if !strings.Contains(r.Text, "已把 L1 改派给 Ben") {
			t.Errorf("改派 L1 = %q, want it assigned to Ben", r.Text)
		}
	})
}

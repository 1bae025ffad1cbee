package bot_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// capture is a channel with a group chat for every team that keeps
// every message it is given.
type capture struct {
	mu     sync.Mutex
	sent   map[engine.RepID][]bot.Message
	posted []string
}

func (c *capture) Name() string            { return "capture" }
func (c *capture) Reaches(engine.Rep) bool { return true }

func (c *capture) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[to.ID] = append(c.sent[to.ID], m)
	return "", nil
}

func (c *capture) Update(context.Context, engine.Delivery, engine.Rep, bot.Message) error {
	return nil
}

func (c *capture) NotifyTeam(ctx context.Context, team, text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posted = append(c.posted, team+": "+text)
	return nil
}

// digestFixture has r1 (English) hold two leads, one overdue, in team
// east with its lead (Chinese); checkpoints fall on Fridays at 16:00
// UTC and more than five alerts to one person fold.
func digestFixture(t *testing.T, s *storage.Store) digestWorld {
	t.Helper()
	ctx := context.Background()
	clock := enginetest.NewClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	every, _ := cron.ParseStandard("CRON_TZ=UTC 0 16 * * fri")
	p := engine.DefaultPolicy
	p.Mode, p.Schedule.Quiet = engine.ModeAuto, engine.QuietHours{}
	p.Checkpoints = engine.Checkpoints{Every: every, AlertDigestOver: 5}
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	for _, r := range []engine.Rep{
		{ID: "r1", Name: "Amy", Role: engine.RoleRep, Team: "east", Capacity: 10, Active: true,
			Language: "en"},
		{ID: "lead", Name: "李组长", Role: engine.RoleLead, Team: "east", Active: true},
	} {
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	for i, due := range []time.Time{
		time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC),
	} {
		in := engine.LeadInput{ExternalID: fmt.Sprint("d", i+1), DueAt: &due,
			Profile: engine.Profile{Company: fmt.Sprint("Acme ", i+1)}}
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Progress(ctx, 2, "r1", 40, "visit booked"); err != nil {
		t.Fatal(err)
	}
	rend := bot.NewRenderer(s, i18n.ZH, time.UTC).WithClock(clock)
	ch := &capture{sent: map[engine.RepID][]bot.Message{}}
	groups := &cardGroups{teamRecorder: &teamRecorder{recorder: newRecorder("chat"),
		teams: map[string]bool{"east": true}}, cards: map[string]*bot.Card{}}
	snd := bot.NewSender(s, s, rend, []bot.Channel{ch, groups}, bot.SenderOptions{Clock: clock})
	for snd.Pass(ctx) > 0 {
	}
	ch.sent = map[engine.RepID][]bot.Message{}
	return digestWorld{svc, clock, snd, ch, groups}
}

// digestWorld is what digestFixture builds: the capture channel, and a
// channel whose groups take cards beside it.
type digestWorld struct {
	svc    *engine.Service
	clock  *enginetest.Clock
	snd    *bot.Sender
	ch     *capture
	groups *cardGroups
}

// The checkpoint's digests as people read them: r1's tasks in English,
// the team's lines in Chinese to the lead and in the group.
func TestCheckpointDigestRendering(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w := digestFixture(t, s)
		svc, clock, snd, ch := w.svc, w.clock, w.snd, w.ch
		clock.Set(time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
		if _, err := svc.ScanCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		for snd.Pass(ctx) > 0 {
		}

		if len(ch.sent["r1"]) != 1 {
			t.Fatalf("r1 got %d messages, want the digest", len(ch.sent["r1"]))
		}
		m := ch.sent["r1"][0]
		if !m.Digest || m.Card == nil || len(m.Card.Buttons) != 0 {
			t.Fatalf("r1's digest = %+v, want a read-only digest card", m)
		}
		if want := "Progress at the checkpoint 12-04 16:00"; m.Card.Title != want {
			t.Errorf("title = %q, want %q", m.Card.Title, want)
		}
		wantFields := []bot.Field{
			{Label: "Open tasks", Value: "2"},
			{Label: "Overdue", Value: "1"},
			{Label: "Due in the next 7 days", Value: "1"},
			{Label: "Average progress", Value: "20%"},
			{Label: "Closed this period", Value: "0 (0 won)"},
			{Label: "L1 Acme 1", Value: "0% · overdue by 28 h"},
			{Label: "L2 Acme 2", Value: "40% · due 12-08 10:00"},
		}
		if !reflect.DeepEqual(m.Card.Fields, wantFields) {
			t.Errorf("fields = %+v\nwant %+v", m.Card.Fields, wantFields)
		}
		if want := "Period 11-27 16:00 to 12-04 16:00"; m.Card.Note != want {
			t.Errorf("note = %q, want %q", m.Card.Note, want)
		}

		if len(ch.sent["lead"]) != 1 {
			t.Fatalf("the lead got %d messages, want the team digest", len(ch.sent["lead"]))
		}
		team := ch.sent["lead"][0].Card
		wantTeam := []bot.Field{ // by rep id: lead, r1
			{Label: "李组长", Value: "在办 0 · 逾期 0 · 进度 0% · 本期结单 0"},
			{Label: "Amy", Value: "在办 2 · 逾期 1 · 进度 20% · 本期结单 0"},
		}
		if team.Title != "east 团队检查点小结 12-04 16:00" || !reflect.DeepEqual(team.Fields, wantTeam) {
			t.Errorf("team digest = %q %+v, want east's with %+v", team.Title, team.Fields, wantTeam)
		}
		wantPost := "east: east 团队检查点小结 12-04 16:00\n" +
			"李组长: 在办 0 · 逾期 0 · 进度 0% · 本期结单 0\n" +
			"Amy: 在办 2 · 逾期 1 · 进度 20% · 本期结单 0\n" +
			"统计区间 11-27 16:00 至 12-04 16:00"
		if len(ch.posted) != 1 || ch.posted[0] != wantPost {
			t.Errorf("group posts = %q, want\n%q", ch.posted, wantPost)
		}
		// Where groups take cards, a digest still goes as text: it has
		// nothing to click.
		if len(w.groups.cards) != 0 || !reflect.DeepEqual(w.groups.posted, ch.posted) {
			t.Errorf("card groups got cards %v, texts %q; want the same text only",
				w.groups.cards, w.groups.posted)
		}
	})
}

// Six alerts at once reach r1 as one card listing them, by how late
// each is when it is drawn.
func TestAlertDigestRendering(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		w := digestFixture(t, s)
		svc, clock, snd, ch := w.svc, w.clock, w.snd, w.ch
		due := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		for i := range 5 {
			in := engine.LeadInput{ExternalID: fmt.Sprint("late", i), DueAt: &due,
				Profile: engine.Profile{Company: fmt.Sprint("Late ", i)}}
			if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		for snd.Pass(ctx) > 0 {
		}
		ch.sent = map[engine.RepID][]bot.Message{}
		// 12-03 13:00: L1 (due 12-03 12:00) and L3-L7 (12-02 10:00) are
		// overdue: six alerts for r1, over five.
		clock.Set(time.Date(2026, 12, 3, 13, 0, 0, 0, time.UTC))
		if _, err := svc.ScanDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		for snd.Pass(ctx) > 0 {
		}
		if len(ch.sent["r1"]) != 1 {
			t.Fatalf("r1 got %d messages, want one digest", len(ch.sent["r1"]))
		}
		c := ch.sent["r1"][0].Card
		if c.Title != "6 reminders and alerts came due at once" || len(c.Fields) != 6 {
			t.Fatalf("digest = %q with %d lines, want 6", c.Title, len(c.Fields))
		}
		lines := map[string]string{}
		for _, f := range c.Fields {
			lines[f.Label] = f.Value
		}
		want := map[string]string{
			"L1 Acme 1": "overdue by 1 h",
			"L3 Late 0": "overdue by 27 h",
			"L7 Late 4": "overdue by 27 h",
		}
		for k, v := range want {
			if lines[k] != v {
				t.Errorf("line %q = %q, want %q", k, lines[k], v)
			}
		}
		if !strings.Contains(c.Note, `Send "show 12"`) {
			t.Errorf("note = %q, want the hint to look a lead up", c.Note)
		}
		// The lead's tier 2 alerts came due too (L3-L7 are over 4 h late):
		// five, so each is its own card.
		if got := len(ch.sent["lead"]); got != 5 {
			t.Errorf("the lead got %d messages, want five alert cards", got)
		}
	})
}

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

// Alert cards offer a supervisor extend, reassign and return, and not
// the owner; an alert sent early for lagging progress says so, in each
// reader's language.
func TestAlertCards(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		for _, r := range []engine.Rep{
			{ID: "boss", Name: "赵六", Role: engine.RoleManager, Team: "east", Active: true},
			{ID: "tl", Name: "Amy", Role: engine.RoleLead, Team: "east", Active: true, Language: "en"},
		} {
			if _, err := f.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		f.intake(t, "x")
		if _, err := f.svc.Claim(ctx, 1, "r1", "r1"); err != nil {
			t.Fatal(err)
		}
		draw := func(to, tier string, args map[string]string) bot.Message {
			t.Helper()
			rep, _ := s.Rep(ctx, engine.RepID(to))
			n := engine.Notice{Kind: engine.NoticeAlert, LeadID: 1, To: rep.ID, Text: tier, Args: args}
			m, err := f.rend.Notice(ctx, n, rep)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		actions := func(m bot.Message) string {
			var out []string
			for _, b := range m.Card.Buttons {
				out = append(out, b.Label+"="+b.Action)
			}
			return strings.Join(out, " ")
		}

		if got, want := actions(draw("boss", "3", nil)), "延期=extend:L1 改派=reassign:L1 退回公海=return:L1"; got != want {
			t.Errorf("manager's tier 3 buttons = %q, want %q", got, want)
		}
		lag := map[string]string{"progress": "10", "planned": "30"}
		m := draw("tl", "2", lag)
		if got, want := actions(m), "Extend=extend:L1 Reassign=reassign:L1 Give back=return:L1"; got != want {
			t.Errorf("team lead's tier 2 buttons = %q, want %q", got, want)
		}
		if !strings.Contains(m.Card.Title, "r1's lead L1 is behind plan") ||
			!strings.Contains(m.Text, "Progress 10%, the plan says 30% by now") {
			t.Errorf("team lead's lag alert = %q / %q", m.Card.Title, m.Text)
		}
		m = draw("r1", "1", lag)
		if strings.Contains(actions(m), "extend") || !strings.Contains(m.Card.Title, "L1 进度落后于计划") ||
			!strings.Contains(m.Text, "进度 10%，按计划应到 30%") {
			t.Errorf("owner's lag alert = %q / %q with %q", m.Card.Title, m.Text, actions(m))
		}
	})
}

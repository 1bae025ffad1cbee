package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

type links struct{}

func (links) DashboardLink(rep engine.RepID) (string, time.Duration) {
	return "http://leadbot.example/dashboard?t=" + string(rep), 12 * time.Hour
}

// A lead or manager asking for the dashboard gets their own link; a rep
// is refused, and without a dashboard nobody gets one.
func TestCoreDashboardLink(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		for _, r := range []engine.Rep{
			{ID: "lead", Name: "组长", Role: engine.RoleLead, Team: "east", Active: true},
			{ID: "boss", Name: "Boss", Role: engine.RoleManager, Active: true, Language: "en"},
		} {
			if _, err := f.svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
				t.Fatal(err)
			}
		}
		with := bot.NewCore(f.svc, f.rend, nil).WithDashboard(links{})
		without := bot.NewCore(f.svc, f.rend, nil)
		tests := []struct {
			core       *bot.Core
			user, text string
			want       string
		}{
			{with, "lead", "看板", "你的看板链接（12 小时内有效，请勿转发）：http://leadbot.example/dashboard?t=lead"},
			{with, "boss", "dashboard", "valid for 12 hours; please do not forward it: " +
				"http://leadbot.example/dashboard?t=boss"},
			{with, "r1", "看板", "看板只对组长和经理开放"},
			{without, "lead", "dashboard", "看板还没有开启"},
		}
		for _, tt := range tests {
			r, err := s.Rep(ctx, engine.RepID(tt.user))
			if err != nil {
				t.Fatal(err)
			}
			got := tt.core.Handle(ctx, bot.Inbound{Platform: "test", User: r, Text: tt.text})
			if !strings.Contains(got.Text, tt.want) {
				t.Errorf("%s says %q: %q, want it to contain %q", tt.user, tt.text, got.Text, tt.want)
			}
		}
	})
}

package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// An alert drawn again later, as a retry does, is the same message: it
// tells how late the lead was when the alert was raised, so that a
// platform's duplicate check recognises the retry.
func TestAlertDrawsTheSameOnRetry(t *testing.T) {
	ctx := context.Background()
	s := storagetest.Open(t, storage.SQLite)
	clock := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModeAuto
	svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
	r := engine.Rep{ID: "r1", Name: "张三", Role: engine.RoleRep, Team: "east", Capacity: 5, Active: true}
	if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	due := clock.Now().Add(time.Hour)
	l, _, err := svc.Intake(ctx, engine.LeadInput{ExternalID: "a", DueAt: &due,
		Profile: engine.Profile{Company: "公司 a"}}, engine.ActorAPI)
	if err != nil {
		t.Fatal(err)
	}

	rend := bot.NewRenderer(s, i18n.ZH, time.UTC).WithClock(clock)
	raised := due.Add(90 * time.Minute)
	n := engine.Notice{Key: "alert:1", Kind: engine.NoticeAlert, LeadID: l.ID, To: "r1", Text: "1",
		At: raised}
	var titles []string
	for _, at := range []time.Time{raised, raised.Add(3 * time.Hour)} {
		clock.Set(at)
		m, err := rend.Notice(ctx, n, r)
		if err != nil {
			t.Fatal(err)
		}
		titles = append(titles, m.Card.Title)
	}
	if want := "L1 已超时 1 小时，请尽快跟进"; titles[0] != want || titles[1] != want {
		t.Errorf("titles drawn at raising and 3h later = %q, want both %q", titles, want)
	}
}

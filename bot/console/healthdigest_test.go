package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/console"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/insight"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// The weekly health digest in the demo team's feed, as the page reads
// it, kept as a golden file for the lead (the team's tiles) and the
// manager (the company's and the team's headline). The demo's key
// account is held by a rep who is away, so coverage alerts and the lead
// gets a button to assign it, which acts once.
func TestHealthDigestFeed(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		clock := enginetest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
		p := engine.DefaultPolicy
		p.Schedule.Quiet = engine.QuietHours{}
		svc := engine.NewService(engine.Deps{Store: s, Clock: clock, Policy: p})
		if seeded, err := console.SeedDemo(ctx, svc); err != nil || !seeded {
			t.Fatalf("SeedDemo = %t, %v", seeded, err)
		}
		// The demo's key account is held by a rep who is now away.
		var owner engine.Rep
		leads, err := s.Leads(ctx, engine.LeadFilter{Status: engine.StatusAssigned, Limit: 10})
		for _, l := range leads {
			if l.Tier == engine.TierA {
				owner, err = s.Rep(ctx, l.Assignee)
			}
		}
		if err != nil || owner.ID == "" {
			t.Fatalf("no held key account in the demo: %v", err)
		}
		owner.Away = true
		if _, err := svc.PutRep(ctx, owner, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		// The team's targets: follow-ups last week, claims this month.
		for _, in := range []engine.TargetInput{
			{Team: "华东", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 6,
				From: clock.Now().AddDate(0, 0, -7)},
			{Team: "华东", Period: engine.PeriodMonth, Metric: engine.MetricWon, Amount: 3},
		} {
			if _, err := svc.PutTarget(ctx, in, "demo-zhaoliu"); err != nil {
				t.Fatal(err)
			}
		}
		r := bot.NewRenderer(s, i18n.ZH, time.UTC).WithClock(clock)
		con := console.New(console.Options{Core: bot.NewCore(svc, r, nil), Store: s, Renderer: r,
			Lang: i18n.ZH, Demo: true})
		snd := bot.NewSender(s, s, r, []bot.Channel{con}, bot.SenderOptions{Clock: clock})
		srv := httptest.NewServer(con.Handler())
		t.Cleanup(srv.Close)
		e := env{srv: srv, con: con, sender: snd, svc: svc}

		every, _ := cron.ParseStandard("CRON_TZ=UTC 0 9 * * mon")
		rep := insight.NewReporter(s, insight.Settings{Thresholds: insight.DefaultThresholds}, clock)
		o := engine.HealthDigests{Every: every, Report: rep.DigestReport}
		if n, err := svc.ScanHealthDigest(ctx, o); err != nil || n != 2 {
			t.Fatalf("ScanHealthDigest = %d, %v; want the lead's and the manager's", n, err)
		}
		for snd.Pass(ctx) > 0 {
		}

		lead := digestItem(t, e, "demo-wangwu")
		feedGolden(t, "feed_health_digest_lead.json", lead)
		feedGolden(t, "feed_health_digest_manager.json", digestItem(t, e, "demo-zhaoliu"))

		var cover string
		for _, b := range lead.Card.Buttons {
			if strings.HasPrefix(b.Action, bot.ActCover+":") {
				cover = b.Action
			}
		}
		if cover == "" {
			t.Fatalf("the lead's digest has no assign button: %+v", lead.Card.Buttons)
		}
		click := `{"user":"demo-wangwu","action":"` + cover + `"}`
		if got := e.post(t, "/console/api/click", click); !strings.Contains(got.Text, "改派给") {
			t.Errorf("first click on %s = %q, want it assigned", cover, got.Text)
		}
		if got := e.post(t, "/console/api/click", click); !strings.Contains(got.Text, "已经处理过了") {
			t.Errorf("second click on %s = %q, want already done", cover, got.Text)
		}
	})
}

type feedItem struct {
	Text string    `json:"text"`
	Card *bot.Card `json:"card"`
}

// digestItem is the health digest in user's feed.
func digestItem(t *testing.T, e env, user string) feedItem {
	t.Helper()
	var feed struct {
		Items []feedItem `json:"items"`
	}
	e.get(t, "/console/api/feed?user="+user, &feed)
	for _, it := range feed.Items {
		if it.Card != nil && strings.Contains(it.Card.Title, "健康周报") {
			return it
		}
	}
	t.Fatalf("no health digest in %s's feed of %d items", user, len(feed.Items))
	return feedItem{}
}

// feedGolden compares v with testdata/name, or rewrites it with -update.
func feedGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

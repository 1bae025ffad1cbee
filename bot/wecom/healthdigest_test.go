package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/insight"
)

// The weekly health digest reaches a team lead as a button_interaction
// card, kept as a golden file; its assign button comes back as a
// template_card_event key and acts once.
func TestHealthDigestCard(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	lead := engine.Rep{ID: "wl", Name: "王五", Role: engine.RoleLead, Team: "east",
		WeComUserID: "wangwu", Active: true}
	if _, err := f.svc.PutRep(ctx, lead, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	f.wecom.mu.Lock()
	f.wecom.users["wangwu"] = true
	f.wecom.mu.Unlock()
	// L2 to L4 are key accounts in the pool; 张三 claims two, over the
	// capacity of one he is then given, and L4 stays in the pool.
	for i := range 3 {
		prob := 0.9
		in := engine.LeadInput{ExternalID: fmt.Sprint("a", i), Profile: engine.Profile{
			Company: fmt.Sprint("重点客户 ", i+2), ExpectedAmount: 500000, CloseProbability: &prob}}
		if l, _, err := f.svc.Intake(ctx, in, engine.ActorAPI); err != nil || l.Tier != engine.TierA {
			t.Fatalf("intake a%d = tier %s, %v", i, l.Tier, err)
		}
	}
	for _, id := range []engine.LeadID{2, 3} {
		if _, err := f.svc.Claim(ctx, id, "r1", "r1"); err != nil {
			t.Fatal(err)
		}
	}
	r1, _ := f.store.Rep(ctx, "r1")
	r1.Capacity = 1
	if _, err := f.svc.PutRep(ctx, r1, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}

	// Team targets: 4 follow-ups last week, none done; 4 claims this
	// month, the two above done.
	for _, in := range []engine.TargetInput{
		{Team: "east", Period: engine.PeriodWeek, Metric: engine.MetricTouches, Amount: 4,
			From: f.clock.Now().AddDate(0, 0, -7)},
		{Team: "east", Period: engine.PeriodMonth, Metric: engine.MetricClaimed, Amount: 4},
	} {
		if _, err := f.svc.PutTarget(ctx, in, "wl"); err != nil {
			t.Fatal(err)
		}
	}

	every, _ := cron.ParseStandard("CRON_TZ=UTC 0 9 * * mon")
	rep := insight.NewReporter(f.store, insight.Settings{Thresholds: insight.DefaultThresholds}, f.clock)
	o := engine.HealthDigests{Every: every, Report: rep.DigestReport}
	if n, err := f.svc.ScanHealthDigest(ctx, o); err != nil || n != 1 {
		t.Fatalf("ScanHealthDigest = %d, %v; want one digest", n, err)
	}
	items, err := f.store.ClaimNotices(ctx, f.clock.Now().Add(48*time.Hour), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var digest engine.Notice
	for _, it := range items {
		if it.Kind == engine.NoticeHealthDigest {
			digest = it.Notice
		}
	}
	wl, _ := f.store.Rep(ctx, "wl")
	m, err := f.rend.Notice(ctx, digest, wl)
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.wecom.sentMessages())
	if _, err := f.ch.Send(ctx, wl, m); err != nil {
		t.Fatal(err)
	}
	raw := f.wecom.sentMessages()[before]
	golden(t, "card_health_digest.json", taskIDAny.ReplaceAll(raw, []byte(`"task_id":"TASK"`)))
	// The card's subtitle has no room for the targets: a field tallies
	// them and the text form lists them. The month is 3 days 2 hours of
	// 31 days old: 9%, expecting floor(4 × 0.0995) = 0 by now.
	for _, want := range []string{"本期指标: 0/2 达成 · 1 落后", "团队指标：\n上周跟进：完成 0 / 4，落后\n" +
		"　未达份额：张三 0/2；李四 0/2\n本月（已过 9%）抢单：完成 2 / 4，进度正常"} {
		if text := cardText(m); !strings.Contains(text, want) {
			t.Errorf("text form = %q, want it to say %q", text, want)
		}
	}

	var sent struct {
		TemplateCard templateCard `json:"template_card"`
	}
	if err := json.Unmarshal(raw, &sent); err != nil {
		t.Fatal(err)
	}
	task := sent.TemplateCard.TaskID
	click := func(key string) string {
		t.Helper()
		n := len(f.wecom.sentMessages())
		f.post(t, callback{plain: clickEvent("wangwu", key, task, f.wecom.click(task))})
		return strings.Join(f.sentTexts(t)[n:], " | ")
	}
	if got := click("cover:L4"); !strings.Contains(got, "已把 L4 改派给 李四") {
		t.Errorf("first cover click answered %q", got)
	}
	if got := click("cover:L4"); !strings.Contains(got, "L4 已经处理过了，现在由 李四 跟进") {
		t.Errorf("second cover click answered %q", got)
	}
}

package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// A burst of alerts to one rep folds into digests; the process restarts
// (a new channel and sender, with nothing in memory) just after the
// first digest. Every alert reaches the rep exactly once: the outbox
// recorded the alerts the digest carried, so their retries send nothing.
func TestBurstFoldedAcrossRestart(t *testing.T) {
	ctx := context.Background()
	s := storagetest.Open(t, "sqlite")
	c := &clock{t: time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)}
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
	r1 := engine.Rep{ID: "r1", Name: "张三", WeComUserID: "zhangsan", Role: engine.RoleRep,
		Team: "east", Capacity: 5, Active: true}
	if _, err := svc.PutRep(ctx, r1, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	const n = 80
	var ins []engine.LeadInput
	for i := range n {
		ins = append(ins, engine.LeadInput{ExternalID: fmt.Sprint("x", i),
			Profile: engine.Profile{Company: fmt.Sprint("公司 ", i)}})
	}
	res, err := svc.IntakeBatch(ctx, ins, engine.IntakeOptions{Actor: engine.ActorAPI})
	if err != nil {
		t.Fatal(err)
	}
	var alerts []engine.Notice
	for _, r := range res {
		alerts = append(alerts, engine.Notice{Key: "alert:" + r.Lead.ID.String(),
			Kind: engine.NoticeAlert, LeadID: r.Lead.ID, To: "r1", Text: "1", At: c.Now()})
	}
	if err := s.Update(ctx, func(tx engine.Tx) error { return tx.Enqueue(ctx, alerts...) }); err != nil {
		t.Fatal(err)
	}

	f := newFakeWeCom(t, testCorp, testSecret, "zhangsan")
	start := func() *bot.Sender {
		ch := NewChannel(testConfig(f.srv.URL), Options{Clock: c})
		return bot.NewSender(s, s, bot.NewRenderer(s, i18n.ZH, time.UTC), []bot.Channel{ch},
			bot.SenderOptions{Clock: c})
	}
	snd, restarted := start(), false
	// Past every retry of what the digests carried: ten minutes.
	for step := 0; step < 60; step++ {
		for snd.Pass(ctx) > 0 {
		}
		if !restarted && hasDigest(t, f) {
			snd, restarted = start(), true
		}
		c.Add(10 * time.Second)
	}
	if !restarted {
		t.Fatal("no digest was sent")
	}
	times := map[string]int{}
	for _, raw := range f.sentMessages() {
		m := sentText(t, raw)
		for _, line := range strings.Split(m, "\n") {
			if id := leadRef.FindString(line); id != "" {
				times[id]++
			}
		}
	}
	for _, r := range res {
		if got := times[r.Lead.ID.String()]; got != 1 {
			t.Errorf("alert of %s reached the rep %d times, want once", r.Lead.ID, got)
		}
	}
}

// hasDigest reports whether the fake got a digest.
func hasDigest(t *testing.T, f *fakeWeCom) bool {
	t.Helper()
	for _, raw := range f.sentMessages() {
		if strings.HasPrefix(sentText(t, raw), "你有 ") {
			return true
		}
	}
	return false
}

// sentText is a sent message's text, or its card's title.
func sentText(t *testing.T, raw []byte) string {
	t.Helper()
	var m struct {
		Text         textBody     `json:"text"`
		TemplateCard templateCard `json:"template_card"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m.Text.Content + m.TemplateCard.MainTitle.Title
}

package wecom

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
)

// A burst of alerts to one rep folds into digests; the process restarts
// (a new channel and sender, with nothing in memory) just after the
// first digest. Every alert reaches the rep exactly once: the outbox
// recorded the alerts the digest carried, so their retries send nothing.
func TestBurstFoldedAcrossRestart(t *testing.T) {
	ctx := context.Background()
	s, c, alerts := alertBurst(t, 80)
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
	for _, a := range alerts {
		if got := times[a.LeadID.String()]; got != 1 {
			t.Errorf("alert of %s reached the rep %d times, want once", a.LeadID, got)
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

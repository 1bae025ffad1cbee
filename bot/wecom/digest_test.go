package wecom

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

var leadRef = regexp.MustCompile(`L\d+`)

// A burst of 200 alerts to one rep, through the real outbox over SQLite
// while the clock moves on: every lead reaches the rep, alone or in a
// digest, and WeCom never sees more than 30 messages in a minute.
func TestBurstFolded(t *testing.T) {
	ctx := context.Background()
	const n = 200
	s, c, alerts := alertBurst(t, n)
	want := map[string]bool{}
	for _, a := range alerts {
		want[a.LeadID.String()] = true
	}

	f := newFakeWeCom(t, testCorp, testSecret, "zhangsan")
	f.stamp = c.Now
	ch := NewChannel(testConfig(f.srv.URL), Options{Clock: c})
	rend := bot.NewRenderer(s, i18n.ZH, time.UTC)
	snd := bot.NewSender(s, s, rend, []bot.Channel{ch}, bot.SenderOptions{Clock: c})

	got := map[string]bool{}
	for step := 0; step < 1000 && len(got) < n; step++ {
		for snd.Pass(ctx) > 0 {
		}
		got = leadsSent(t, f)
		c.Add(10 * time.Second)
	}
	for id := range want {
		if !got[id] {
			t.Errorf("lead %s never reached the rep", id)
		}
	}

	f.mu.Lock()
	at := append([]time.Time(nil), f.sentAt...)
	f.mu.Unlock()
	for i := range at {
		j := i
		for j < len(at) && at[j].Sub(at[i]) < time.Minute {
			j++
		}
		if j-i > perMinute {
			t.Fatalf("fake got %d messages in the minute from %s, want at most %d",
				j-i, at[i].Format(time.TimeOnly), perMinute)
		}
	}
	if len(at) >= n {
		t.Errorf("fake got %d messages for %d alerts, want fewer (digests)", len(at), n)
	}
	t.Logf("%d alerts arrived in %d messages", n, len(at))
}

// leadsSent is every lead named in a message the fake received.
func leadsSent(t *testing.T, f *fakeWeCom) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, raw := range f.sentMessages() {
		var m struct {
			Text         textBody     `json:"text"`
			TemplateCard templateCard `json:"template_card"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, id := range leadRef.FindAllString(m.Text.Content+m.TemplateCard.MainTitle.Title, -1) {
			out[id] = true
		}
	}
	return out
}

// A message a digest carried is not sent again when the outbox retries
// it, and a digest is one message against the budget.
func TestDigestCarries(t *testing.T) {
	ch, f, c := newTestChannel(t, "zhangsan")
	ctx := context.Background()
	msg := func(i int) bot.Message {
		return bot.Message{Text: "提醒", Card: &bot.Card{Key: fmt.Sprint("alert:L", i),
			Title: fmt.Sprintf("L%d 已超时", i), Buttons: []bot.Button{{Label: "跟进", Action: "accept:L1"}}}}
	}
	for i := range perMinute + 40 {
		_, _ = ch.Send(ctx, rep, msg(i))
	}
	if got := len(f.sentMessages()); got != perMinute {
		t.Fatalf("fake got %d messages, want %d", got, perMinute)
	}

	c.Add(time.Minute)
	ref, err := ch.Send(ctx, rep, msg(perMinute))
	if err != nil {
		t.Fatal(err)
	}
	sent := f.sentMessages()
	var last struct {
		MsgType string   `json:"msgtype"`
		Text    textBody `json:"text"`
	}
	if err := json.Unmarshal(sent[len(sent)-1], &last); err != nil {
		t.Fatal(err)
	}
	if last.MsgType != "text" || !regexp.MustCompile(`^你有 40 条新提醒：`).MatchString(last.Text.Content) {
		t.Fatalf("message after the minute = %s %q, want a digest of 40", last.MsgType, last.Text.Content)
	}
	for i := perMinute + 1; i < perMinute+40; i++ {
		got, err := ch.Send(ctx, rep, msg(i))
		if err != nil || got != ref {
			t.Errorf("retry of message %d = %q, %v; want the digest's %q", i, got, err, ref)
		}
	}
	if got := len(f.sentMessages()); got != perMinute+1 {
		t.Errorf("fake got %d messages, want %d (no resend)", got, perMinute+1)
	}

	// Each carried message is answered from the digest once: the same
	// message again, or the one the digest was sent for, goes out.
	for _, i := range []int{perMinute, perMinute + 1} {
		if got, err := ch.Send(ctx, rep, msg(i)); err != nil || got == ref {
			t.Errorf("message %d again = %q, %v; want it sent by itself", i, got, err)
		}
	}
	if got := len(f.sentMessages()); got != perMinute+3 {
		t.Errorf("fake got %d messages, want %d", got, perMinute+3)
	}
}

// A digest the engine made is never folded into one of the channel's:
// over budget it waits by itself, and when it goes it goes whole, while
// the cards held beside it fold as usual without it.
func TestEngineDigestNotFolded(t *testing.T) {
	ch, f, c := newTestChannel(t, "zhangsan")
	ctx := context.Background()
	msg := func(i int) bot.Message {
		return bot.Message{Card: &bot.Card{Key: fmt.Sprint("alert:L", i),
			Title: fmt.Sprintf("L%d 已超时", i), Buttons: []bot.Button{{Label: "跟进", Action: "accept:L1"}}}}
	}
	digest := bot.Message{Digest: true, Card: &bot.Card{Key: "alert_digest:r1:1",
		Title: "你有 2 条到期提醒与超时告警",
		Fields: []bot.Field{{Label: "L900 甲公司", Value: "已逾期 5 小时"},
			{Label: "L901 乙公司", Value: "已逾期 6 小时"}}}}
	for i := range perMinute + 40 {
		_, _ = ch.Send(ctx, rep, msg(i))
	}
	if _, err := ch.Send(ctx, rep, digest); err == nil {
		t.Fatal("engine digest over budget was sent, want it refused for now")
	}
	last := func() string {
		t.Helper()
		sent := f.sentMessages()
		var got struct {
			Text textBody `json:"text"`
		}
		if err := json.Unmarshal(sent[len(sent)-1], &got); err != nil {
			t.Fatal(err)
		}
		return got.Text.Content
	}

	c.Add(time.Minute)
	if _, err := ch.Send(ctx, rep, msg(perMinute)); err != nil {
		t.Fatal(err)
	}
	if got := last(); !regexp.MustCompile(`^你有 40 条新提醒：`).MatchString(got) ||
		regexp.MustCompile(`L900`).MatchString(got) {
		t.Errorf("channel digest = %q, want the 40 held cards without the engine digest", got)
	}
	if _, err := ch.Send(ctx, rep, digest); err != nil {
		t.Fatal(err)
	}
	want := "你有 2 条到期提醒与超时告警\nL900 甲公司: 已逾期 5 小时\nL901 乙公司: 已逾期 6 小时"
	if got := last(); got != want {
		t.Errorf("engine digest went out as %q, want it whole:\n%q", got, want)
	}
}

// alertBurst stores n pooled leads for r1 (WeCom user zhangsan) and
// queues a tier 1 alert to r1 about each, on SQLite with a test clock.
func alertBurst(t *testing.T, n int) (*storage.Store, *clock, []engine.Notice) {
	t.Helper()
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
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		id := r.Lead.ID
		alerts = append(alerts, engine.Notice{Key: "alert:" + id.String(), Kind: engine.NoticeAlert,
			LeadID: id, To: "r1", Text: "1", At: c.Now()})
	}
	if err := s.Update(ctx, func(tx engine.Tx) error { return tx.Enqueue(ctx, alerts...) }); err != nil {
		t.Fatal(err)
	}
	return s, c, alerts
}

package wecom

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
)

// A manager's overdue alert card carries extend, reassign and return
// buttons whose clicks come back as template_card_event keys; each click
// acts on the lead and the owner hears of it.
func TestCallbackAlertActions(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	boss := engine.Rep{ID: "boss", Name: "王五", Role: engine.RoleManager, Team: "east",
		WeComUserID: "wangwu", Active: true}
	if _, err := f.svc.PutRep(ctx, boss, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	f.wecom.mu.Lock()
	f.wecom.users["wangwu"] = true
	f.wecom.mu.Unlock()
	if _, err := f.svc.Claim(ctx, 1, "r1", "r1"); err != nil {
		t.Fatal(err)
	}
	snd := bot.NewSender(f.store, f.store, f.rend, []bot.Channel{f.ch},
		bot.SenderOptions{Clock: f.clock})
	snd.Pass(ctx)

	f.clock.Add(7*24*time.Hour + 8*time.Hour) // a week on, after quiet hours: every tier is due
	if _, err := f.svc.ScanDeadlines(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(f.wecom.sentMessages())
	snd.Pass(ctx)
	task := ""
	for _, raw := range f.wecom.sentMessages()[before:] {
		var m struct {
			ToUser       string       `json:"touser"`
			TemplateCard templateCard `json:"template_card"`
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if m.ToUser != "wangwu" || !strings.Contains(m.TemplateCard.MainTitle.Title, "升级提醒") {
			continue
		}
		var got []string
		for _, b := range m.TemplateCard.ButtonList {
			got = append(got, b.Text+"="+b.Key)
		}
		want := "延期=extend:L1 改派=reassign:L1 退回公海=return:L1"
		if strings.Join(got, " ") != want {
			t.Errorf("manager's alert buttons = %q, want %q", got, want)
		}
		task = m.TemplateCard.TaskID
	}
	if task == "" {
		t.Fatalf("no escalation card reached wangwu among %d messages", len(f.wecom.sentMessages()))
	}

	click := func(key string) string {
		t.Helper()
		n := len(f.wecom.sentMessages())
		f.post(t, callback{plain: clickEvent("wangwu", key, task, f.wecom.click(task))})
		texts := f.sentTexts(t)[n:]
		return strings.Join(texts, " | ")
	}
	if got := click("extend:L1"); !strings.Contains(got, "wangwu: 已把 L1 的截止时间延到") {
		t.Errorf("extend click answered %q", got)
	}
	l := f.lead(t)
	// Claimed Friday 02:00, a tier C lead was due Tuesday 18:00; a week
	// and eight hours after the claim, one working day from now is
	// Monday 10:00.
	if want := time.Date(2026, 12, 14, 10, 0, 0, 0, time.UTC); l.DueAt == nil || !l.DueAt.Equal(want) ||
		l.AlertTier != 0 {
		t.Errorf("after extend: due %v tier %d, want %v and chasing cleared", l.DueAt, l.AlertTier, want)
	}
	if got := click("reassign:L1"); !strings.Contains(got, "wangwu: 已把 L1 改派给 李四") {
		t.Errorf("reassign click answered %q", got)
	}
	if l := f.lead(t); l.Assignee != "r2" {
		t.Errorf("after reassign: held by %q, want r2", l.Assignee)
	}
	n := len(f.wecom.sentMessages())
	snd.Pass(ctx)
	told := strings.Join(f.sentTexts(t)[n:], " | ")
	if !strings.Contains(told, "zhangsan: 王五 把 L1（公司 x）改派给了 李四。") {
		t.Errorf("after reassign the outbox sent %q, want the old owner told", told)
	}
	if got := click("return:L1"); !strings.Contains(got, "wangwu: 已把 L1 退回公海") {
		t.Errorf("return click answered %q", got)
	}
	if l := f.lead(t); l.Status != engine.StatusPool {
		t.Errorf("after return: %s, want pool", l.Status)
	}
}

package wecom

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Each kind of card the outbox sends, drawn by the real renderer from a
// real lead, as WeCom receives it.
func TestCardGoldens(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	r1, err := f.store.Rep(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	send := func(t *testing.T, n engine.Notice) []byte {
		t.Helper()
		m, err := f.rend.Notice(ctx, n, r1)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.wecom.sentMessages())
		if _, err := f.ch.Send(ctx, r1, m); err != nil {
			t.Fatal(err)
		}
		sent := f.wecom.sentMessages()
		if len(sent) != before+1 {
			t.Fatalf("fake got %d messages, want %d", len(sent), before+1)
		}
		return taskIDAny.ReplaceAll(sent[before], []byte(`"task_id":"TASK"`))
	}

	golden(t, "card_pool.json", send(t, engine.Notice{Kind: engine.NoticePool, LeadID: 1, To: "r1"}))
	if _, err := f.svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	golden(t, "card_assigned.json",
		send(t, engine.Notice{Kind: engine.NoticeAssigned, LeadID: 1, To: "r1"}))
	golden(t, "card_reminder.json",
		send(t, engine.Notice{Kind: engine.NoticeReminder, LeadID: 1, To: "r1"}))
	// TODO: the renderer measures how late a lead is with the wall clock
	// (time.Since), not its clock, so the golden blanks that number.
	alert := send(t, engine.Notice{Kind: engine.NoticeAlert, LeadID: 1, To: "r1", Text: "1"})
	golden(t, "card_alert.json", overdueHours.ReplaceAll(alert, []byte("已超时 N ")))
}

var overdueHours = regexp.MustCompile(`已超时 [0-9]+ `)

// The approval cards a team lead gets for a transfer and a manager for a
// dispute, taken from the outbox where the engine wrote them.
func TestApprovalCardGoldens(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	p := engine.DefaultPolicy
	p.Mode, p.TransferApproval = engine.ModePool, true
	svc := engine.NewService(engine.Deps{Store: f.store, Clock: f.clock, Policy: p})
	for _, r := range []engine.Rep{
		{ID: "t1", Name: "赵六", WeComUserID: "zhaoliu", Role: engine.RoleLead},
		{ID: "m1", Name: "王五", WeComUserID: "wangwu", Role: engine.RoleManager},
	} {
		r.Team, r.Capacity, r.Active = "east", 5, true
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		f.wecom.mu.Lock()
		f.wecom.users[r.WeComUserID] = true
		f.wecom.mu.Unlock()
	}
	if _, err := svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transfer(ctx, 1, "r1", "r2"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.FileDispute(ctx, 1, "r2", engine.DisputeOwnership, "我先联系的客户"); err != nil {
		t.Fatal(err)
	}

	far := f.clock.Now().Add(24 * time.Hour)
	items, err := f.store.ClaimNotices(ctx, far, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := map[engine.NoticeKind]string{
		engine.NoticeTransfer: "card_transfer_approval.json",
		engine.NoticeDispute:  "card_dispute_approval.json",
	}
	for _, it := range items {
		name, ok := want[it.Kind]
		if !ok {
			continue
		}
		delete(want, it.Kind)
		to, err := f.store.Rep(ctx, it.To)
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.rend.Notice(ctx, it.Notice, to)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.wecom.sentMessages())
		if _, err := f.ch.Send(ctx, to, m); err != nil {
			t.Fatal(err)
		}
		sent := f.wecom.sentMessages()[before]
		golden(t, name, taskIDAny.ReplaceAll(sent, []byte(`"task_id":"TASK"`)))
	}
	for kind := range want {
		t.Errorf("outbox has no %s notice", kind)
	}
}

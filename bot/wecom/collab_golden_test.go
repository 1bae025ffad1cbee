package wecom

import (
	"context"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// The card a rep gets when a pairing rule adds them to a claimed lead,
// taken from the outbox where the engine wrote it.
func TestCollaboratorCardGolden(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	// The fixture's lead has no amount yet: a rule for those.
	under := 1.0
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	p.Collaboration = engine.DefaultCollaborationOptions
	p.Collaboration.Pairing = []engine.PairingRule{{Name: "技术支持",
		When: engine.PairingCondition{AmountUnder: &under},
		Add:  engine.PairingTarget{Tag: "technical_consultant"}}}
	svc := engine.NewService(engine.Deps{Store: f.store, Clock: f.clock, Policy: p})
	tc := engine.Rep{ID: "t1", Name: "赵六", WeComUserID: "zhaoliu", Role: engine.RoleRep,
		Team: "east", Active: true, Skills: []string{"technical_consultant"}}
	if _, err := svc.PutRep(ctx, tc, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	f.wecom.mu.Lock()
	f.wecom.users[tc.WeComUserID] = true
	f.wecom.mu.Unlock()
	if _, err := svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
		t.Fatal(err)
	}

	items, err := f.store.ClaimNotices(ctx, f.clock.Now().Add(time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Kind != engine.NoticeCollaborator {
			continue
		}
		m, err := f.rend.Notice(ctx, it.Notice, tc)
		if err != nil {
			t.Fatal(err)
		}
		before := len(f.wecom.sentMessages())
		if _, err := f.ch.Send(ctx, tc, m); err != nil {
			t.Fatal(err)
		}
		sent := f.wecom.sentMessages()[before]
		golden(t, "card_collaborator.json", taskIDAny.ReplaceAll(sent, []byte(`"task_id":"TASK"`)))
		return
	}
	t.Error("outbox has no collaborator notice")
}

package wecom

import (
	"context"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// The follow-up cards (cadence nudge, long silence, milestone reminder)
// as WeCom receives them, drawn by the real renderer from a real lead
// with a target close date.
func TestFollowUpCardGoldens(t *testing.T) {
	f := newCallbackFixture(t)
	ctx := context.Background()
	r1, err := f.store.Rep(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	target := time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)
	if _, err := f.svc.SetTarget(ctx, 1, target, "r1"); err != nil {
		t.Fatal(err)
	}
	last := "2026-12-04T02:00:00Z"
	tests := []struct {
		golden string
		n      engine.Notice
	}{
		{"card_cadence.json", engine.Notice{Kind: engine.NoticeCadence, LeadID: 1, To: "r1",
			Args: map[string]string{"per_week": "2", "last": last}}},
		{"card_silence.json", engine.Notice{Kind: engine.NoticeSilence, LeadID: 1, To: "r1",
			Args: map[string]string{"days": "14", "last": last}}},
		{"card_milestone.json", engine.Notice{Kind: engine.NoticeMilestone, LeadID: 1, To: "r1",
			Text: "demo", Args: map[string]string{"stage": "remind", "due": "2026-12-31T10:00:00Z"}}},
	}
	for _, tt := range tests {
		m, err := f.rend.Notice(ctx, tt.n, r1)
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
		golden(t, tt.golden, taskIDAny.ReplaceAll(sent[before], []byte(`"task_id":"TASK"`)))
	}
}

package dingtalk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// A milestone reminder goes out as markdown that says what to type when
// the milestone is done, in the rep's language.
func TestMilestoneMarkdown(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	ch := NewChannel(NewAPI(g.config(), nil), i18n.ZH, nil)
	ctx := context.Background()
	if _, err := w.svc.Claim(ctx, 1, "r1", engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetTarget(ctx, 1, time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC), "r1"); err != nil {
		t.Fatal(err)
	}
	rep, err := w.store.Rep(ctx, "r1")
	if err != nil {
		t.Fatal(err)
	}
	n := engine.Notice{Kind: engine.NoticeMilestone, LeadID: 1, To: "r1", Text: "demo",
		Args: map[string]string{"stage": "overdue", "due": "2026-12-31T10:00:00Z"}}
	m, err := w.rend.Notice(ctx, n, rep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Send(ctx, rep, m); err != nil {
		t.Fatal(err)
	}
	body := g.callsTo("/v1.0/robot/oToMessages/batchSend")[0].Body
	for _, want := range []string{"演示", "已逾期", "里程碑 L1 演示"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("markdown %s does not show %q", body, want)
		}
	}
	golden(t, "markdown_milestone.json", body)
}

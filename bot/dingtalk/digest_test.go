package dingtalk

import (
	"context"
	"strings"
	"testing"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
)

// A digest card has nothing to click: without a template it goes out
// as markdown with its lines and no commands to type.
func TestDigestMarkdown(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	ch := NewChannel(NewAPI(g.config(), nil), i18n.ZH, nil)
	rep, err := w.store.Rep(context.Background(), "r1")
	if err != nil {
		t.Fatal(err)
	}
	m := bot.Message{Digest: true, Card: &bot.Card{
		Key:   "checkpoint:r1:1796400000000",
		Title: "检查点进度小结 12-04 16:00",
		Fields: []bot.Field{
			{Label: "在办任务", Value: "2"},
			{Label: "已逾期", Value: "1"},
			{Label: "L1 公司 1", Value: "0% · 已逾期 28 小时"},
		},
		Note: "统计区间 11-27 16:00 至 12-04 16:00",
	}}
	if _, err := ch.Send(context.Background(), rep, m); err != nil {
		t.Fatal(err)
	}
	body := g.callsTo("/v1.0/robot/oToMessages/batchSend")[0].Body
	if strings.Contains(string(body), replyWith[i18n.ZH]) {
		t.Errorf("digest markdown %s offers commands, want none", body)
	}
	golden(t, "digest_markdown_zh.json", body)
}

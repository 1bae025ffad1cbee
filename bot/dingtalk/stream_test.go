package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// syncBuffer is a log sink safe for concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// memInbox is an Inbox in memory.
type memInbox struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (m *memInbox) Seen(ctx context.Context, platform, id string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	key := platform + "/" + id
	first := !m.seen[key]
	m.seen[key] = true
	return first, nil
}

// world is a chat core over a real store with three reps and two leads
// in the pool.
type world struct {
	store *storage.Store
	svc   *engine.Service
	core  *bot.Core
	rend  *bot.Renderer
}

func newWorld(t *testing.T) world {
	t.Helper()
	ctx := context.Background()
	s := storagetest.Open(t, "sqlite")
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	clk := fixedClock{time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC)}
	svc := engine.NewService(engine.Deps{Store: s, Clock: clk, Policy: p})
	for _, r := range []engine.Rep{
		{ID: "r1", Name: "张三", DingTalkUserID: "ding-r1"},
		{ID: "r2", Name: "李四", DingTalkUserID: "ding-r2"},
		{ID: "amy", Name: "Amy", DingTalkUserID: "ding-amy", Language: "en"},
	} {
		r.Role, r.Team, r.Capacity, r.Active = engine.RoleRep, "east", 5, true
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	for _, ext := range []string{"a", "b"} {
		in := engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: "公司 " + ext}}
		if _, _, err := svc.Intake(ctx, in, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	rend := bot.NewRenderer(s, i18n.ZH, time.UTC)
	return world{store: s, svc: svc, core: bot.NewCore(svc, rend, nil), rend: rend}
}

// running starts a Stream against the gateway and stops it when the test
// ends, failing if it does not stop.
func running(t *testing.T, g *gateway, w world, cfg Config) *Stream {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := NewStream(StreamOptions{Config: cfg, Core: w.core, Reps: w.store, Inbox: &memInbox{},
		API: NewAPI(cfg, nil), Lang: i18n.ZH, Probe: 20 * time.Millisecond,
		Backoff: 20 * time.Millisecond, Log: log})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil after cancel", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("Run did not return 5s after cancel")
		}
		for _, secret := range []string{cfg.ClientSecret, "tok-", "session="} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("logs show %q:\n%s", secret, logs.String())
			}
		}
	})
	return s
}

func robotMessage(w *gateway, id, staff, text, convType string) map[string]any {
	return frame("CALLBACK", "/v1.0/im/bot/messages/get", "frame-"+id, map[string]any{
		"conversationId": "cid-conv", "conversationType": convType, "msgId": id,
		"senderStaffId": staff, "senderNick": staff, "chatbotCorpId": "corp",
		"sessionWebhook":            w.srv.URL + "/robot/sendBySession?session=" + id,
		"sessionWebhookExpiredTime": time.Now().Add(time.Hour).UnixMilli(),
		"createAt":                  time.Now().UnixMilli(), "msgtype": "text",
		"text": map[string]string{"content": text}, "robotCode": "cid",
	})
}

func cardClick(frameID, staff, act, value string) map[string]any {
	params := map[string]any{"action": act}
	if value != "" {
		params["value"] = value
	}
	content, _ := json.Marshal(map[string]any{"cardPrivateData": map[string]any{
		"actionIds": []string{"btn"}, "params": params}})
	return frame("CALLBACK", "/v1.0/card/instances/callback", frameID, map[string]any{
		"extension": "{}", "corpId": "corp", "spaceType": "im", "userIdType": 1,
		"type": "actionCallback", "userId": staff, "content": string(content),
		"spaceId": "cid-conv", "outTrackId": "leadbot-L1-x", "value": string(content),
	})
}

// replyText is the markdown text of the n-th session reply.
func replyText(t *testing.T, c apiCall) string {
	t.Helper()
	var body struct {
		Msgtype  string
		Markdown struct{ Title, Text string }
	}
	if err := json.Unmarshal(c.Body, &body); err != nil || body.Msgtype != "markdown" {
		t.Fatalf("session reply %s: not markdown (%v)", c.Body, err)
	}
	return body.Markdown.Text
}

// Commands typed one to one and in a group come back through the
// sessionWebhook, in the sender's language; strangers are told whom to
// ask.
func TestCommandRoundTrip(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	running(t, g, w, g.config())
	conn := g.waitConn(1)

	tests := []struct {
		name, staff, text, conv, want string
	}{
		{"claim one to one", "ding-r1", "抢单 1", "1", "已抢到 L1"},
		{"pool in group after mention", "ding-r2", " 公海", "2", "L2 公司 b"},
		{"english", "ding-amy", "claim 2", "1", "L2"},
		{"stranger", "ding-nobody", "公海", "1", "还没有在 Leadbot 登记"},
		{"garbage", "ding-r1", "随便说点什么", "1", "没看懂"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := fmt.Sprint("m", i)
			conn.push(t, robotMessage(g, id, tt.staff, tt.text, tt.conv))
			if a := g.waitAck("frame-" + id); a.Code != 200 {
				t.Errorf("ack of %s = %+v, want code 200", id, a)
			}
			calls := g.waitCalls("/robot/sendBySession", i+1)
			if got := replyText(t, calls[i]); !strings.Contains(got, tt.want) {
				t.Errorf("reply to %q = %q, want it to contain %q", tt.text, got, tt.want)
			}
		})
	}
	if l, _ := w.store.Lead(context.Background(), 1); l.Assignee != "r1" {
		t.Errorf("L1 held by %q after 抢单 1, want r1", l.Assignee)
	}
}

// A click delivered twice, and a message delivered twice, have one effect
// each; both copies are acknowledged.
func TestDuplicatesHaveOneEffect(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	cfg := g.config()
	cfg.CardTemplateID = "tpl.schema"
	running(t, g, w, cfg)
	conn := g.waitConn(1)

	click := cardClick("click-1", "ding-r1", "claim:L1", "")
	conn.push(t, click)
	first := g.waitAck("click-1")
	conn.push(t, click)
	deadline := time.Now().Add(5 * time.Second)
	for len(g.acksOf("click-1")) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	acks := g.acksOf("click-1")
	if len(acks) != 2 {
		t.Fatalf("click acknowledged %d times, want 2", len(acks))
	}
	if !strings.Contains(first.Data, "cardParamMap") || !strings.Contains(first.Data, `accept:L1`) {
		t.Errorf("first click ack data = %s, want the card redrawn for its owner", first.Data)
	}
	if acks[1].Code != 200 || acks[1].Data != "" {
		t.Errorf("repeated click ack = %+v, want 200 with no card", acks[1])
	}
	sends := g.waitCalls("/v1.0/robot/oToMessages/batchSend", 1)
	time.Sleep(50 * time.Millisecond)
	if n := len(g.callsTo("/v1.0/robot/oToMessages/batchSend")); n != 1 {
		t.Errorf("click replies sent %d, want 1", n)
	}
	if !strings.Contains(string(sends[0].Body), "已抢到 L1") {
		t.Errorf("click reply = %s, want 已抢到 L1", sends[0].Body)
	}

	conn.push(t, cardClick("click-2", "ding-r1", "progress:L1", "60"))
	g.waitAck("click-2")
	got := g.waitCalls("/v1.0/robot/oToMessages/batchSend", 2)[1].Body
	if !strings.Contains(string(got), "60%") {
		t.Errorf("progress click reply = %s, want 60%%", got)
	}

	msg := robotMessage(g, "dup", "ding-r2", "抢单 2", "1")
	conn.push(t, msg)
	g.waitAck("frame-dup")
	conn.push(t, msg)
	for len(g.acksOf("frame-dup")) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(g.callsTo("/robot/sendBySession")); n != 1 {
		t.Errorf("repeated message answered %d times, want once", n)
	}
	ctx := context.Background()
	for id, want := range map[engine.LeadID]engine.RepID{1: "r1", 2: "r2"} {
		if l, _ := w.store.Lead(ctx, id); l.Assignee != want {
			t.Errorf("%s held by %q, want %s", id, l.Assignee, want)
		}
	}
}

func (g *gateway) acksOf(id string) []ack {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]ack(nil), g.acks[id]...)
}

// A disconnect frame and a dropped connection are both followed by a new
// connection on a fresh ticket, which carries messages again.
func TestReconnect(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	running(t, g, w, g.config())

	c1 := g.waitConn(1)
	bye := map[string]string{"reason": "connection is expired"}
	c1.push(t, frame("SYSTEM", "disconnect", "bye-1", bye))
	c2 := g.waitConn(2)
	select {
	case <-c1.closed:
	case <-time.After(5 * time.Second):
		t.Error("client kept the connection it was told to leave")
	}
	c2.push(t, robotMessage(g, "after-disconnect", "ding-r1", "我的", "1"))
	g.waitAck("frame-after-disconnect")

	c2.ws.Close()
	c3 := g.waitConn(3)
	c3.push(t, robotMessage(g, "after-drop", "ding-r1", "帮助", "1"))
	g.waitAck("frame-after-drop")

	c3.push(t, frame("SYSTEM", "ping", "ping-1", map[string]string{"opaque": "abc"}))
	if a := g.waitAck("ping-1"); !strings.Contains(a.Data, "abc") {
		t.Errorf("ping ack = %+v, want the opaque data back", a)
	}
	g.mu.Lock()
	opens, left := g.opens, len(g.tickets)
	g.mu.Unlock()
	if opens != 3 || left != 0 {
		t.Errorf("connections opened %d with %d tickets unused, want 3 and 0", opens, left)
	}
}

// Bad credentials at the gateway are retried with backoff, not fatal.
func TestConnectRetriesBadGateway(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	cfg := g.config()
	cfg.ClientSecret = "wrong"
	running(t, g, w, cfg)
	time.Sleep(300 * time.Millisecond)
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.conns) != 0 {
		t.Errorf("connected with a wrong secret")
	}
	// Backoff from 20 ms doubling: a handful of tries, not one per probe.
	if g.attempts < 2 || g.attempts > 8 {
		t.Errorf("connection asked for %d times in 300ms, want 2 to 8", g.attempts)
	}
}

// Cancelling Run closes the connection and leaves no goroutine of the
// client or the SDK behind.
func TestCleanShutdown(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	cfg := g.config()
	s := NewStream(StreamOptions{Config: cfg, Core: w.core, Reps: w.store, Inbox: &memInbox{},
		API: NewAPI(cfg, nil), Probe: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	c := g.waitConn(1)
	c.push(t, robotMessage(g, "last", "ding-r1", "公海", "1"))
	g.waitAck("frame-last")

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Run did not return 3s after cancel")
	}
	select {
	case <-c.closed:
	case <-time.After(3 * time.Second):
		t.Error("connection still open after Run returned")
	}
	var left string
	for range 100 {
		if left = clientGoroutines(); left == "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if left != "" {
		t.Errorf("goroutines left after shutdown:\n%s", left)
	}
	time.Sleep(100 * time.Millisecond)
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.opens != 1 {
		t.Errorf("connections opened %d, want 1: the client reconnected after shutdown", g.opens)
	}
}

// clientGoroutines returns the stacks of goroutines in the SDK or in
// Stream, other than this test's.
func clientGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "dingtalk-stream-sdk-go") || strings.Contains(g, "dingtalk.(*Stream)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

// A gateway that stops answering pings gets its connection closed and
// replaced, without taking the process down.
func TestPongWithheld(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the SDK's keepalive, about 8 s")
	}
	g, w := newGateway(t), newWorld(t)
	g.noPong = true
	cfg := g.config()
	s := NewStream(StreamOptions{Config: cfg, Core: w.core, Reps: w.store, Inbox: &memInbox{},
		API: NewAPI(cfg, nil), Probe: 20 * time.Millisecond, KeepAlive: 3 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	c1 := g.waitConn(1)
	g.mu.Lock()
	g.noPong = false
	g.mu.Unlock()
	select {
	case <-c1.closed:
	case <-time.After(12 * time.Second):
		t.Fatal("client kept a connection that never answered its ping")
	}
	c2 := g.waitConn(2)
	c2.push(t, robotMessage(g, "after-pong", "ding-r1", "帮助", "1"))
	g.waitAck("frame-after-pong")
}

// Many frames at once are all handled and acknowledged.
func TestConcurrentFrames(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	running(t, g, w, g.config())
	c := g.waitConn(1)
	const n = 40
	for i := range n {
		c.push(t, robotMessage(g, fmt.Sprint("burst", i), "ding-r1", "帮助", "1"))
	}
	for i := range n {
		if a := g.waitAck(fmt.Sprint("frame-burst", i)); a.Code != 200 {
			t.Errorf("burst %d ack = %+v, want 200", i, a)
		}
	}
	if got := len(g.waitCalls("/robot/sendBySession", n)); got != n {
		t.Errorf("burst answered %d times, want %d", got, n)
	}
}

// Once the sessionWebhook has expired, answers go through the robot
// send API: one to one, or to the group the message came from.
func TestReplyAfterWebhookExpired(t *testing.T) {
	g, w := newGateway(t), newWorld(t)
	running(t, g, w, g.config())
	conn := g.waitConn(1)
	expire := func(f map[string]any) map[string]any {
		var data map[string]any
		json.Unmarshal([]byte(f["data"].(string)), &data)
		data["sessionWebhookExpiredTime"] = time.Now().Add(-time.Minute).UnixMilli()
		b, _ := json.Marshal(data)
		f["data"] = string(b)
		return f
	}
	conn.push(t, expire(robotMessage(g, "old1", "ding-r1", "帮助", "1")))
	g.waitAck("frame-old1")
	one := g.waitCalls("/v1.0/robot/oToMessages/batchSend", 1)
	if !strings.Contains(string(one[0].Body), `"userIds":["ding-r1"]`) {
		t.Errorf("one-to-one answer = %s, want it sent to ding-r1", one[0].Body)
	}
	conn.push(t, expire(robotMessage(g, "old2", "ding-r1", "帮助", "2")))
	g.waitAck("frame-old2")
	grp := g.waitCalls("/v1.0/robot/groupMessages/send", 1)
	if !strings.Contains(string(grp[0].Body), `"openConversationId":"cid-conv"`) {
		t.Errorf("group answer = %s, want it sent to cid-conv", grp[0].Body)
	}
	if n := len(g.callsTo("/robot/sendBySession")); n != 0 {
		t.Errorf("expired webhook used %d times", n)
	}
}

package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

const (
	testCorp   = "wwcorp0001"
	testSecret = "s3cr3t-app-secret"
	testToken  = "cbToken"
	testAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

func testConfig(base string) Config {
	return Config{CorpID: testCorp, AgentID: 1000002, Secret: testSecret, Token: testToken,
		AESKey: testAESKey, APIBase: base, DuplicateCheck: time.Hour}
}

func newTestChannel(t *testing.T, users ...string) (*Channel, *fakeWeCom, *clock) {
	t.Helper()
	f := newFakeWeCom(t, testCorp, testSecret, users...)
	c := &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	return NewChannel(testConfig(f.srv.URL), Options{Clock: c}), f, c
}

var rep = engine.Rep{ID: "r1", Name: "张三", WeComUserID: "zhangsan"}

func poolCard() *bot.Card {
	return &bot.Card{Key: "L12:r1", Lead: "L12", Title: "公海线索 L12：上海某某科技有限公司",
		Fields: []bot.Field{{Label: "行业", Value: "制造"}, {Label: "地区", Value: "上海"},
			{Label: "预算", Value: "¥280000"}},
		Note: "适合你：制造业、上海",
		Buttons: []bot.Button{{Label: "抢单", Action: "claim:L12", Primary: true},
			{Label: "申诉", Action: "dispute:L12", Input: "理由"}}}
}

var taskIDField = regexp.MustCompile(`"task_id":"L12_r1-[0-9a-z]+"`)

var taskIDAny = regexp.MustCompile(`"task_id":"[0-9A-Za-z_@-]+"`)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", name, buf.Bytes(), want)
	}
}

func TestSendCard(t *testing.T) {
	ch, f, _ := newTestChannel(t, "zhangsan")
	ref, err := ch.Send(context.Background(), rep, bot.Message{Text: "新线索进入公海", Card: poolCard()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref, "L12_r1-") || len(ref) > maxTaskID {
		t.Errorf("Send ref = %q, want a task id from the card key", ref)
	}

	sent := f.sentMessages()
	if len(sent) != 1 {
		t.Fatalf("fake got %d messages, want 1", len(sent))
	}
	if !strings.Contains(string(sent[0]), `"task_id":"`+ref+`"`) {
		t.Errorf("sent card does not carry task_id %s: %s", ref, sent[0])
	}
	golden(t, "send_card.json", taskIDField.ReplaceAll(sent[0], []byte(`"task_id":"TASK"`)))
}

func TestSendText(t *testing.T) {
	ch, f, _ := newTestChannel(t, "zhangsan")
	ref, err := ch.Send(context.Background(), rep, bot.Message{Text: "L12 还有 2 小时到期"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref, "msg-") {
		t.Errorf("Send ref = %q, want the msgid", ref)
	}
	golden(t, "send_text.json", f.sentMessages()[0])
}

func TestCardLimits(t *testing.T) {
	c := poolCard()
	c.Title = strings.Repeat("长", 100)
	for range 10 {
		c.Buttons = append(c.Buttons, bot.Button{Label: "一个很长很长很长的按钮文字", Action: "accept:L12"})
		c.Fields = append(c.Fields, bot.Field{Label: "字段", Value: strings.Repeat("值", 50)})
	}
	tc := drawCard(bot.Message{Card: c}, taskID(strings.Repeat("k", 300), "x"))
	checks := []struct {
		name      string
		got, want int
	}{
		{"buttons", len(tc.ButtonList), maxButtons},
		{"fields", len(tc.Horizontal), maxFields},
		{"title runes", len([]rune(tc.MainTitle.Title)), maxTitle},
		{"value runes", len([]rune(tc.Horizontal[5].Value)), maxValue},
		{"button runes", len([]rune(tc.ButtonList[5].Text)), maxButtonText},
		{"task id bytes", len(tc.TaskID), maxTaskID},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if got := taskID("L1:张三", "s"); got != "L1___-s" {
		t.Errorf(`taskID("L1:张三") = %q, want "L1___-s"`, got)
	}
	if got := cutBytes(strings.Repeat("汉", 1000), maxTextBytes); len(got) > maxTextBytes {
		t.Errorf("cutBytes left %d bytes, want at most %d", len(got), maxTextBytes)
	}
}

// A token WeCom revoked early is fetched again and the call retried once.
func TestTokenRefresh(t *testing.T) {
	ch, f, _ := newTestChannel(t, "zhangsan")
	ctx := context.Background()
	if _, err := ch.Send(ctx, rep, bot.Message{Text: "one"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.Send(ctx, rep, bot.Message{Text: "two"}); err != nil {
		t.Fatal(err)
	}
	tokens, calls := f.counts()
	if sends := calls["/cgi-bin/message/send"]; tokens != 1 || sends != 2 {
		t.Fatalf("gettoken %d, send %d; want 1 and 2 (token cached)", tokens, sends)
	}

	f.expire()
	if _, err := ch.Send(ctx, rep, bot.Message{Text: "three"}); err != nil {
		t.Fatalf("Send after expiry: %v", err)
	}
	tokens, calls = f.counts()
	if sends := calls["/cgi-bin/message/send"]; tokens != 2 || sends != 4 {
		t.Errorf("gettoken %d, send %d; want 2 and 4 (one refresh, one retry)", tokens, sends)
	}
	if got := len(f.sentMessages()); got != 3 {
		t.Errorf("fake got %d messages, want 3", got)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name      string
		to        engine.Rep
		errcode   int
		permanent bool
	}{
		{"unknown userid", engine.Rep{ID: "r9", WeComUserID: "ghost"}, 0, true},
		{"no userid", engine.Rep{ID: "r9"}, 0, true},
		{"system busy", rep, -1, false},
		{"frequency", rep, 45009, false},
		{"invalid userid code", rep, 40003, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, f, _ := newTestChannel(t, "zhangsan")
			if tt.errcode != 0 {
				f.failNext("/cgi-bin/message/send", tt.errcode)
			}
			_, err := ch.Send(context.Background(), tt.to, bot.Message{Text: "hi"})
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if got := errors.Is(err, bot.ErrPermanent); got != tt.permanent {
				t.Errorf("Send error %q permanent = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}

// Neither the secret nor a token appears in an error, even when the
// transport's own error would quote the URL.
func TestErrorsHoldNoSecrets(t *testing.T) {
	f := newFakeWeCom(t, testCorp, testSecret, "zhangsan")
	ch := NewChannel(testConfig(f.srv.URL), Options{})
	if _, err := ch.Send(context.Background(), rep, bot.Message{Text: "warm up"}); err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	_, err := ch.Send(context.Background(), rep, bot.Message{Text: "hi"})
	if err == nil {
		t.Fatal("Send to a closed server succeeded")
	}
	for _, secret := range []string{testSecret, "tok-", "access_token"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}

	hc := &http.Client{Timeout: time.Second}
	ch = NewChannel(testConfig("http://127.0.0.1:1"), Options{HTTP: hc})
	_, err = ch.Send(context.Background(), rep, bot.Message{Text: "hi"})
	if err == nil || strings.Contains(err.Error(), testSecret) {
		t.Errorf("gettoken error = %v, want one without the secret", err)
	}
}

func TestRateLimit(t *testing.T) {
	ch, f, c := newTestChannel(t, "zhangsan")
	ctx := context.Background()
	for i := range perMinute {
		if _, err := ch.Send(ctx, rep, bot.Message{Text: "x"}); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		c.Add(time.Second)
	}
	_, err := ch.Send(ctx, rep, bot.Message{Text: "x"})
	if !errors.Is(err, ErrRateLimited) || errors.Is(err, bot.ErrPermanent) {
		t.Fatalf("send %d = %v, want ErrRateLimited and not permanent", perMinute+1, err)
	}
	other := engine.Rep{ID: "r2", WeComUserID: "lisi"}
	f.users["lisi"] = true
	if _, err := ch.Send(ctx, other, bot.Message{Text: "x"}); err != nil {
		t.Errorf("send to another rep = %v, want it through", err)
	}

	c.Add(31 * time.Second)
	if _, err := ch.Send(ctx, rep, bot.Message{Text: "x"}); err != nil {
		t.Errorf("send a minute later = %v, want it through", err)
	}
}

func TestPacerHour(t *testing.T) {
	p := newPacer(perMinute, perHour)
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	for i := range perHour {
		if _, ok := p.take("u", now); !ok {
			t.Fatalf("take %d refused", i)
		}
		now = now.Add(3 * time.Second)
	}
	wait, ok := p.take("u", now)
	if ok || wait <= 0 {
		t.Fatalf("take %d = (%s, %v), want a wait", perHour+1, wait, ok)
	}
	if _, ok := p.take("u", now.Add(wait)); !ok {
		t.Errorf("take after waiting %s refused", wait)
	}
}

// A card is redrawn with the code its send brought; once that is spent
// Update does nothing, and a spent code at WeCom is not an error.
func TestUpdate(t *testing.T) {
	ch, f, _ := newTestChannel(t, "zhangsan")
	ctx := context.Background()
	ref, err := ch.Send(ctx, rep, bot.Message{Card: poolCard()})
	if err != nil {
		t.Fatal(err)
	}
	d := engine.Delivery{Platform: Platform, RepID: rep.ID, Ref: ref}
	closed := &bot.Card{Key: "L12:r1", Title: "公海线索 L12", Closed: true, State: "已被 李四 抢走"}
	if err := ch.Update(ctx, d, rep, bot.Message{Card: closed}); err != nil {
		t.Fatal(err)
	}
	ups := f.updated()
	if len(ups) != 1 {
		t.Fatalf("fake got %d updates, want 1", len(ups))
	}
	golden(t, "update_closed.json", ups[0])

	if err := ch.Update(ctx, d, rep, bot.Message{Card: closed}); err != nil {
		t.Errorf("Update without a code = %v, want nil", err)
	}
	_, calls := f.counts()
	if n := calls["/cgi-bin/message/update_template_card"]; n != 1 {
		t.Errorf("update_template_card called %d times, want 1", n)
	}

	_ = ch.codes.Put(ctx, ref, "rc-spent", time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC))
	if err := ch.Update(ctx, d, rep, bot.Message{Card: poolCard()}); err != nil {
		t.Errorf("Update with a spent code = %v, want nil", err)
	}
}

func TestValidate(t *testing.T) {
	ok := testConfig("")
	tests := []struct {
		name string
		edit func(*Config)
		want string // env var named in the error; "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"no corp", func(c *Config) { c.CorpID = "" }, "LEADBOT_WECOM_CORP_ID"},
		{"no agent", func(c *Config) { c.AgentID = 0 }, "LEADBOT_WECOM_AGENT_ID"},
		{"no secret", func(c *Config) { c.Secret = "" }, "LEADBOT_WECOM_SECRET"},
		{"no token", func(c *Config) { c.Token = "" }, "LEADBOT_WECOM_TOKEN"},
		{"short key", func(c *Config) { c.AESKey = "abc" }, "LEADBOT_WECOM_AES_KEY"},
		{"bad key", func(c *Config) { c.AESKey = strings.Repeat("!", 43) },
			"LEADBOT_WECOM_AES_KEY"},
		{"bad base", func(c *Config) { c.APIBase = "qyapi" }, "LEADBOT_WECOM_API_BASE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), testSecret) {
				t.Errorf("Validate() = %v, quotes the secret", err)
			}
		})
	}
}

// Concurrent sends share one token fetch.
func TestTokenShared(t *testing.T) {
	ch, f, _ := newTestChannel(t, "zhangsan")
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := ch.Send(context.Background(), rep, bot.Message{Text: "x"}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if tokens, _ := f.counts(); tokens != 1 {
		t.Errorf("gettoken called %d times for 20 concurrent sends, want 1", tokens)
	}
}

package wecom

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLoggedChannel is newTestChannel with its log kept.
func newLoggedChannel(t *testing.T, users ...string) (*Channel, *fakeWeCom, *clock, *syncBuffer) {
	t.Helper()
	f := newFakeWeCom(t, testCorp, testSecret, users...)
	c := &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return NewChannel(testConfig(f.srv.URL), Options{Clock: c, Log: log}), f, c, logs
}

// Every errcode lands somewhere: retried by the outbox, failed for good,
// or failed for good with an Error line naming the setting to fix.
func TestErrcodes(t *testing.T) {
	tests := []struct {
		name      string
		path      string
		code      int
		permanent bool
		fix       string // setting an Error line names; "" for none
	}{
		{"busy", "/cgi-bin/message/send", -1, false, ""},
		{"frequency", "/cgi-bin/message/send", 45009, false, ""},
		{"concurrency", "/cgi-bin/message/send", 45033, false, ""},
		{"token busy", "/cgi-bin/gettoken", -1, false, ""},
		{"token frequency", "/cgi-bin/gettoken", 45009, false, ""},
		{"unknown code", "/cgi-bin/message/send", 12345, false, ""},
		{"invalid userid", "/cgi-bin/message/send", 40003, true, ""},
		{"invalid secret", "/cgi-bin/gettoken", 40001, true, "LEADBOT_WECOM_SECRET"},
		{"invalid corpid", "/cgi-bin/gettoken", 40013, true, "LEADBOT_WECOM_CORP_ID"},
		{"invalid agentid", "/cgi-bin/message/send", 40056, true, "LEADBOT_WECOM_AGENT_ID"},
		{"api forbidden", "/cgi-bin/message/send", 48002, true, "API permissions"},
		{"ip not allowed", "/cgi-bin/gettoken", 60020, true, "企业可信IP"},
		{"ip not allowed on send", "/cgi-bin/message/send", 60020, true, "企业可信IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, f, c, logs := newLoggedChannel(t, "zhangsan")
			ctx := context.Background()
			for i := range 2 {
				f.failNext(tt.path, tt.code)
				_, err := ch.Send(ctx, rep, bot.Message{Text: "hi"})
				if err == nil {
					t.Fatalf("Send %d with errcode %d succeeded, want an error", i, tt.code)
				}
				if got := errors.Is(err, bot.ErrPermanent); got != tt.permanent {
					t.Errorf("Send error %q permanent = %v, want %v", err, got, tt.permanent)
				}
				if errors.Is(err, bot.ErrPermanent) == transientCodes[tt.code] && tt.code != 12345 {
					t.Errorf("errcode %d: transientCodes and permanence disagree", tt.code)
				}
				c.Add(time.Second)
			}

			out := logs.String()
			errLines := strings.Count(out, "level=ERROR")
			switch {
			case tt.fix == "" && errLines != 0:
				t.Errorf("log has %d Error lines for errcode %d, want none:\n%s",
					errLines, tt.code, out)
			case tt.fix != "" && (errLines != 1 || !strings.Contains(out, tt.fix)):
				t.Errorf("log = %q, want one Error line naming %s for two failures", out, tt.fix)
			}
			if strings.Contains(out, testSecret) || strings.Contains(out, "tok-") {
				t.Errorf("log quotes a secret: %s", out)
			}

			// The next send goes through: nothing stuck in the client.
			if _, err := ch.Send(ctx, rep, bot.Message{Text: "ok"}); err != nil {
				t.Errorf("Send after recovery = %v, want nil", err)
			}
		})
	}
}

// A config errcode is logged again once alarmEvery has passed.
func TestErrcodeAlarmRepeats(t *testing.T) {
	ch, f, c, logs := newLoggedChannel(t, "zhangsan")
	for range 2 {
		f.failNext("/cgi-bin/gettoken", 40001)
		_, _ = ch.Send(context.Background(), rep, bot.Message{Text: "hi"})
		c.Add(alarmEvery)
	}
	if n := strings.Count(logs.String(), "level=ERROR"); n != 2 {
		t.Errorf("Error lines = %d after two failures %s apart, want 2", n, alarmEvery)
	}
}

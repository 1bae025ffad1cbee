package wecom

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
)

const robotKeyEast = "robot-key-east-0001"

func newRobotChannel(t *testing.T) (*Channel, *fakeWeCom, *clock, *syncBuffer) {
	t.Helper()
	f := newFakeWeCom(t, testCorp, testSecret)
	f.robots = map[string]bool{robotKeyEast: true}
	c := &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	logs := &syncBuffer{}
	ch := NewChannel(testConfig(f.srv.URL), Options{Clock: c,
		Log: slog.New(slog.NewTextHandler(logs, nil)),
		GroupWebhooks: map[string]string{
			"east":  robotKeyEast,
			"west":  "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + robotKeyEast,
			"north": "revoked-key",
		}})
	return ch, f, c, logs
}

func TestNotifyTeam(t *testing.T) {
	ch, f, _, _ := newRobotChannel(t)
	ctx := context.Background()
	text := "**公海新线索 L12**：上海某某科技有限公司\n> 在应用里发送「抢单 12」认领"
	for _, team := range []string{"east", "west"} {
		if err := ch.NotifyTeam(ctx, team, text); err != nil {
			t.Fatalf("NotifyTeam(%s) = %v", team, err)
		}
	}
	posts := f.groupPosts()
	if len(posts) != 2 {
		t.Fatalf("robot got %d posts, want 2", len(posts))
	}
	golden(t, "group_markdown.json", posts[0])
	if tokens, _ := f.counts(); tokens != 0 {
		t.Errorf("gettoken called %d times for a webhook, want 0", tokens)
	}
}

// The webhook answers errors as success with an errcode; each one comes
// back as an error of the right kind.
func TestNotifyTeamErrors(t *testing.T) {
	tests := []struct {
		name      string
		team      string
		failWith  int
		target    error // errors.Is target; nil for none
		permanent bool
		logged    string
	}{
		{"no robot", "south", 0, ErrNoGroupWebhook, false, ""},
		{"bad key", "north", 0, nil, true, "GroupWebhooks"},
		{"frequency", "east", 45009, nil, false, ""},
		{"busy", "east", -1, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, f, _, logs := newRobotChannel(t)
			if tt.failWith != 0 {
				f.failNext("/cgi-bin/webhook/send", tt.failWith)
			}
			err := ch.NotifyTeam(context.Background(), tt.team, "hi")
			if err == nil {
				t.Fatal("NotifyTeam succeeded, want an error")
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Errorf("NotifyTeam = %v, want %v", err, tt.target)
			}
			if got := errors.Is(err, bot.ErrPermanent); got != tt.permanent {
				t.Errorf("NotifyTeam error %q permanent = %v, want %v", err, got, tt.permanent)
			}
			out := logs.String()
			if tt.logged != "" && !strings.Contains(out, tt.logged) {
				t.Errorf("log = %q, want it to name %s", out, tt.logged)
			}
			for _, s := range []string{robotKeyEast, "revoked-key"} {
				if strings.Contains(out, s) || strings.Contains(err.Error(), s) {
					t.Errorf("log or error quotes webhook key %s", s)
				}
			}
			if n := len(f.groupPosts()); n != 0 {
				t.Errorf("robot got %d posts, want 0", n)
			}
		})
	}
}

// A group robot takes 20 messages a minute.
func TestNotifyTeamPaced(t *testing.T) {
	ch, f, c, _ := newRobotChannel(t)
	ctx := context.Background()
	for i := range robotPerMinute {
		if err := ch.NotifyTeam(ctx, "east", "x"); err != nil {
			t.Fatalf("notice %d: %v", i, err)
		}
	}
	if err := ch.NotifyTeam(ctx, "east", "x"); !errors.Is(err, ErrRateLimited) {
		t.Errorf("notice %d = %v, want ErrRateLimited", robotPerMinute+1, err)
	}
	c.Add(time.Minute)
	if err := ch.NotifyTeam(ctx, "east", "x"); err != nil {
		t.Errorf("notice a minute later = %v, want nil", err)
	}
	if got := len(f.groupPosts()); got != robotPerMinute+1 {
		t.Errorf("robot got %d posts, want %d", got, robotPerMinute+1)
	}
}

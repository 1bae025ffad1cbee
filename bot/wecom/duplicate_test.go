package wecom

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/wecom/wecomfake"
)

// A message resent after its answer was lost (the sender crashed, or the
// connection dropped after WeCom took it) reaches the member once: the
// channel sends the same request again and WeCom's duplicate check drops
// it. Another notice with the same look is a message of its own.
func TestResentNoticeReachesMemberOnce(t *testing.T) {
	tests := []struct {
		name      string
		check     time.Duration
		notices   []string
		wantSent  int
		wantDrops int
	}{
		{"same notice twice", time.Hour, []string{"alert:1:L12:r1:1", "alert:1:L12:r1:1"}, 1, 1},
		{"two notices", time.Hour, []string{"alert:1:L12:r1:1", "alert:1:L12:r1:2"}, 2, 0},
		{"check off", 0, []string{"alert:1:L12:r1:1", "alert:1:L12:r1:1"}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := wecomfake.New(testCorp, testSecret, rep.WeComUserID)
			defer f.Close()
			cfg := testConfig(f.URL)
			cfg.DuplicateCheck = tt.check
			c := &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
			ch := NewChannel(cfg, Options{Clock: c})
			var refs []string
			for _, n := range tt.notices {
				ref, err := ch.Send(context.Background(), rep, bot.Message{Card: poolCard(), Notice: n})
				if err != nil {
					t.Fatalf("Send(%s): %v", n, err)
				}
				refs = append(refs, ref)
				c.Add(time.Minute)
			}
			if got := f.Count(); got != tt.wantSent {
				t.Errorf("member received %d messages, want %d", got, tt.wantSent)
			}
			if got := f.Suppressed(); got != tt.wantDrops {
				t.Errorf("duplicate check dropped %d, want %d", got, tt.wantDrops)
			}
			same := tt.notices[0] == tt.notices[1]
			if (refs[0] == refs[1]) != same {
				t.Errorf("task ids %v: want them equal only for the same notice", refs)
			}
			raw := string(f.Delivered()[0].Raw)
			on := strings.Contains(raw, `"enable_duplicate_check":1,"duplicate_check_interval":3600`)
			if on != (tt.check > 0) {
				t.Errorf("request %s: duplicate check fields present = %v, want %v", raw, on, tt.check > 0)
			}
		})
	}
}

// WeCom's duplicate check lasts its interval: the same request after it
// is delivered again.
func TestFakeDuplicateCheckExpires(t *testing.T) {
	f := wecomfake.New(testCorp, testSecret, rep.WeComUserID)
	defer f.Close()
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	f.SetClock(func() time.Time { return now })
	cfg := testConfig(f.URL)
	cfg.DuplicateCheck = 30 * time.Minute
	ch := NewChannel(cfg, Options{Clock: &clock{t: now}})
	m := bot.Message{Text: "L12 已超时 1 小时", Notice: "alert:1:L12:r1:1"}
	for _, step := range []time.Duration{0, 29 * time.Minute, 2 * time.Minute} {
		now = now.Add(step)
		if _, err := ch.Send(context.Background(), rep, m); err != nil {
			t.Fatal(err)
		}
	}
	if got, drops := f.Count(), f.Suppressed(); got != 2 || drops != 1 {
		t.Errorf("received %d, dropped %d; want 2 received (first, after 31m) and 1 dropped", got, drops)
	}
}

package bot_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// tally counts what a sender reports, by label.
type tally struct {
	mu     sync.Mutex
	counts map[string]int
}

func (t *tally) ObserveDelivery(platform, kind string, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	t.add(platform + " " + kind + " " + result)
}

func (t *tally) ObserveNotice(result string) { t.add(result) }

func (t *tally) add(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.counts[key]++
}

func (t *tally) snapshot() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.counts)
}

// The sender reports each attempt per platform and what became of each
// notice: a platform down shows as errors and retries, then successes.
func TestSenderReportsDeliveries(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		// One pooled lead: a pool card to each of the three reps, and a
		// team notice no channel here carries, which is done at once.
		f.intake(t, "b")
		up, down := newRecorder("up"), newRecorder("down")
		down.setDown(true)
		obs := &tally{counts: map[string]int{}}
		snd := bot.NewSender(f.store, f.store, f.rend, []bot.Channel{up, down},
			bot.SenderOptions{Clock: f.clock, Lease: time.Minute, Metrics: obs})
		snd.Pass(ctx)
		want := map[string]int{"up send ok": 3, "down send error": 3, "retried": 3, "sent": 1}
		if got := obs.snapshot(); !maps.Equal(got, want) {
			t.Errorf("first pass reported %v, want %v", got, want)
		}

		down.setDown(false)
		f.clock.Add(time.Hour)
		for snd.Pass(ctx) > 0 {
		}
		want = map[string]int{"up send ok": 3, "down send error": 3, "down send ok": 3,
			"retried": 3, "sent": 4}
		if got := obs.snapshot(); !maps.Equal(got, want) {
			t.Errorf("after recovery reported %v, want %v", got, want)
		}
	})
}

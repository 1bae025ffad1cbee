package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestCardCodesAreSpentOnce(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
		a := s.CardCodes("wecom", 72*time.Hour)
		if err := a.Put(ctx, "task-1", "rc-1", at); err != nil {
			t.Fatal(err)
		}
		if err := a.Put(ctx, "task-1", "rc-2", at.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		// Another replica's view of the same table.
		b := s.CardCodes("wecom", 72*time.Hour)
		var got atomic.Int32
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, when, ok, err := b.Take(ctx, "task-1")
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					got.Add(1)
					if code != "rc-2" || !when.Equal(at.Add(time.Minute)) {
						t.Errorf("took %q from %s, want rc-2 from %s", code, when, at.Add(time.Minute))
					}
				}
			}()
		}
		wg.Wait()
		if n := got.Load(); n != 1 {
			t.Errorf("10 concurrent takes of one code: %d got it, want 1", n)
		}
		if _, _, ok, err := a.Take(ctx, "task-1"); ok || err != nil {
			t.Errorf("take after the code was spent = %t, %v; want none", ok, err)
		}
	})
}

func TestCardCodesForgetExpiredAndKeepPlatformsApart(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		wc := s.CardCodes("wecom", 72*time.Hour)
		dt := s.CardCodes("dingtalk", 72*time.Hour)
		if err := wc.Put(ctx, "old", "rc-old", at); err != nil {
			t.Fatal(err)
		}
		if err := dt.Put(ctx, "old", "dt-old", at); err != nil {
			t.Fatal(err)
		}
		// A put 73 hours on clears the wecom code that expired meanwhile.
		if err := wc.Put(ctx, "new", "rc-new", at.Add(73*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, _, ok, err := wc.Take(ctx, "old"); ok || err != nil {
			t.Errorf("expired code: ok=%t err=%v, want it gone", ok, err)
		}
		if code, _, ok, err := dt.Take(ctx, "old"); !ok || err != nil || code != "dt-old" {
			t.Errorf("the other platform's code = %q %t %v, want dt-old kept", code, ok, err)
		}
		if err := wc.Put(ctx, "", "rc", at); engine.KindOf(err) != engine.Invalid {
			t.Errorf("put without a card: err = %v, want Invalid", err)
		}
	})
}

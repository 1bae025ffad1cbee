package storage_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

func TestSeenOncePerDelivery(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		var firsts atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				first, err := s.Seen(ctx, "wecom", "msg-1")
				if err != nil {
					t.Error(err)
				}
				if first {
					firsts.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := firsts.Load(); n != 1 {
			t.Errorf("20 concurrent arrivals of one message: %d firsts, want 1", n)
		}
		if first, err := s.Seen(ctx, "dingtalk", "msg-1"); err != nil || !first {
			t.Errorf("the same id on another platform = %t, %v; want a first arrival", first, err)
		}
		if _, err := s.Seen(ctx, "wecom", ""); engine.KindOf(err) != engine.Invalid {
			t.Errorf("empty id: err = %v, want Invalid", err)
		}
	})
}

func TestRepByChatID(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		svc, _ := newService(t, s, engine.ModePool)
		r := engine.Rep{ID: "r1", Name: "张三", Role: engine.RoleRep, Capacity: 1, Active: true,
			WeComUserID: "zhangsan", DingTalkUserID: "0123"}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		if got, err := s.RepByWeCom(ctx, "zhangsan"); err != nil || got.ID != "r1" {
			t.Errorf("RepByWeCom = %v, %v", got.ID, err)
		}
		if got, err := s.RepByDingTalk(ctx, "0123"); err != nil || got.ID != "r1" {
			t.Errorf("RepByDingTalk = %v, %v", got.ID, err)
		}
		for _, id := range []string{"lisi", ""} {
			if _, err := s.RepByWeCom(ctx, id); engine.KindOf(err) != engine.NotFound {
				t.Errorf("RepByWeCom(%q) err = %v, want NotFound", id, err)
			}
		}
	})
}

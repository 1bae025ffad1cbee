package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/metrics"
	"github.com/leadbot/leadbot/storage"
)

// The scheduler runs in one replica at a time: the holder of this lease.
// The holder renews it every third of its TTL (scheduler.lease_ttl), so
// two renewals can fail before it lapses; when the holder dies, another
// replica takes it within a TTL and a renewal period.
const schedulerLease = "scheduler"

// scheduler runs the cron table of timed jobs while this process holds
// the scheduler lease. The jobs themselves are engine methods that read
// what is due from the database, so a new leader picks up where the old
// one stopped, and two leaders at once still send nothing twice.
type scheduler struct {
	svc    *engine.Service
	store  *storage.Store
	holder string
	leader atomic.Bool
	log    *slog.Logger
	// metrics, when set, records job runs and leadership.
	metrics *metrics.Metrics
	// digest, when set, sends the weekly health digest.
	digest func(context.Context) (int, error)
}

func newScheduler(svc *engine.Service, store *storage.Store, log *slog.Logger) *scheduler {
	host, _ := os.Hostname()
	return &scheduler{svc: svc, store: store, log: log,
		holder: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), time.Now().UnixNano())}
}

// run keeps the lease (for ttl, renewed every third of it) and the cron
// table going until ctx ends, then gives the lease up so that another
// replica takes over at once.
func (s *scheduler) run(ctx context.Context, tick, ttl time.Duration) {
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	c.Schedule(cron.Every(tick), s.job("deadlines", func(ctx context.Context) (int, error) {
		return s.svc.ScanDeadlines(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("disputes", func(ctx context.Context) (int, error) {
		return s.svc.ScanDisputes(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("recycle", func(ctx context.Context) (int, error) {
		return s.svc.ScanRecycling(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("cadence", func(ctx context.Context) (int, error) {
		return s.svc.ScanCadence(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("milestones", func(ctx context.Context) (int, error) {
		return s.svc.ScanMilestones(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("standby", func(ctx context.Context) (int, error) {
		return 0, s.svc.DrainStandby(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("squads", func(ctx context.Context) (int, error) {
		return s.svc.ExpireCollaborations(ctx)
	}))
	// The checkpoint job runs on the tick rather than at the spec's
	// times: it works out the latest checkpoint due, so one missed while
	// no replica led is sent when the next leader starts.
	c.Schedule(cron.Every(tick), s.job("checkpoint", func(ctx context.Context) (int, error) {
		return s.svc.ScanCheckpoint(ctx)
	}))
	c.Schedule(cron.Every(tick), s.job("untouched", func(ctx context.Context) (int, error) {
		return s.svc.ScanUntouched(ctx)
	}))
	// Like the checkpoints, the health digest runs on the tick and sends
	// the latest one due.
	if s.digest != nil {
		c.Schedule(cron.Every(tick), s.job("health_digest", s.digest))
	}
	s.keepLease(ctx, ttl)
	c.Start()
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-c.Stop().Done()
			if s.leader.Load() {
				s.store.ReleaseLease(context.WithoutCancel(ctx), schedulerLease, s.holder)
			}
			return
		case <-t.C:
			s.keepLease(ctx, ttl)
		}
	}
}

func (s *scheduler) keepLease(ctx context.Context, ttl time.Duration) {
	ok, err := s.store.AcquireLease(ctx, schedulerLease, s.holder, time.Now(), ttl)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("scheduler lease unavailable", slog.Any("err", err))
		}
		ok = false
	}
	if s.metrics != nil {
		s.metrics.SetLeader(ok)
	}
	if was := s.leader.Swap(ok); was != ok {
		s.log.Info(
			"scheduler leadership changed",
			slog.Bool("leader", ok),
			slog.String("holder", s.holder),
		)
	}
}

// job wraps an engine job for the cron table: it runs only on the
// leader, and logs what it did.
func (s *scheduler) job(name string, fn func(context.Context) (int, error)) cron.Job {
	return cron.FuncJob(func() {
		if !s.leader.Load() {
			return
		}
		start := time.Now()
		n, err := fn(context.Background())
		if s.metrics != nil {
			s.metrics.ObserveJob(name, start, time.Since(start), err)
		}
		if err != nil {
			s.log.Error("scheduled job failed", slog.String("job", name), slog.Any("err", err),
				slog.Duration("took", time.Since(start)))
			return
		}
		if n > 0 {
			s.log.Info("scheduled job ran", slog.String("job", name), slog.Int("notices", n),
				slog.Duration("took", time.Since(start)))
		}
	})
}

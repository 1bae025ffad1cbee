package main

import (
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/wecom/wecomfake"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// isLeader reports whether the process's latest change of scheduler
// leadership it logged was taking the lease.
func (p *process) isLeader() bool {
	log := p.stderr.String()
	i := strings.LastIndex(log, `msg="scheduler leadership changed"`)
	if i < 0 {
		return false
	}
	line, _, _ := strings.Cut(log[i:], "\n")
	return strings.Contains(line, "leader=true")
}

// Two replicas share one MySQL database. Half the alerts are overdue at
// the start and half fall due later; both replicas send, one schedules.
// The scheduling replica is killed mid-way, at a moment WeCom has taken
// a message whose answer never arrives: the other takes the scheduler
// over once the lease lapses, raises the alerts that fall due after, and
// every alert reaches its member exactly once.
func TestReplicasTakeOverAndSendEachAlertOnce(t *testing.T) {
	const reps, alerts = 60, 600
	const ttl = 3 * time.Second
	opts := storagetest.Options(t, storage.MySQL)
	start := time.Now()
	// Half are overdue; half fall due well after the replicas start and
	// the scheduler is killed: only a replica that took the scheduler
	// over can raise those.
	const later = 20 * time.Second
	var firstLater time.Time
	want := seedLeads(t, opts, reps, alerts, func(i int) time.Time {
		if i < alerts/2 {
			return start.Add(-time.Hour - time.Duration(i)*time.Millisecond)
		}
		at := time.Now().Add(later + time.Duration(i)*time.Millisecond)
		if firstLater.IsZero() {
			firstLater = at
		}
		return at
	})
	t.Logf("seeded %d leads in %s", alerts, time.Since(start).Round(time.Millisecond))

	fake := wecomfake.New(alertCorp, alertSecret, userids(reps)...)
	defer fake.Close()
	inDoubt := make(chan struct{})
	resume := make(chan struct{})
	fake.OnDeliver(func(n int) {
		if n == alerts/4 {
			close(inDoubt)
			<-resume
		}
	})
	env := alertEnv(fake, opts, ttl)
	a := startServe(t, t.TempDir(), env...)
	b := startServe(t, t.TempDir(), env...)
	select {
	case <-inDoubt:
	case <-time.After(3 * time.Minute):
		t.Fatalf("only %d alerts sent after 3 minutes; stderr:\n%s", fake.Count(), a.stderr)
	}
	holder, other := a, b
	if !a.isLeader() {
		holder, other = b, a
	}
	if !holder.isLeader() || other.isLeader() {
		t.Fatalf("leaders: a %v, b %v; want exactly one", a.isLeader(), b.isLeader())
	}
	holder.kill(t)
	killed := time.Now()
	close(resume)
	t.Logf("scheduler killed after %d messages, %s after start", fake.Count(),
		killed.Sub(start).Round(time.Millisecond))
	if !killed.Before(firstLater) {
		t.Fatalf("killed %s after the first later lead fell due; too slow a machine",
			killed.Sub(firstLater).Round(time.Millisecond))
	}

	for !other.isLeader() && time.Since(killed) < time.Minute {
		time.Sleep(50 * time.Millisecond)
	}
	if !other.isLeader() {
		t.Fatalf("the surviving replica never took the scheduler over; stderr:\n%s", other.stderr)
	}
	t.Logf("taken over %s after the kill (lease ttl %s, renewed every %s)",
		time.Since(killed).Round(100*time.Millisecond), ttl, ttl/3)

	waitAlerts(fake, want, 3*time.Minute)
	other.stop(t)
	t.Logf("all sent %s after start; %d messages, %d resends dropped by the duplicate check",
		time.Since(start).Round(time.Millisecond), fake.Count(), fake.Suppressed())
	checkOnce(t, fake, want)
	if left := pendingNotices(t, opts); len(left) > 0 {
		t.Errorf("%d notices still pending after every alert arrived: %v", len(left), left)
	}
}

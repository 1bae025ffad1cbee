package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/wecom/wecomfake"
	"github.com/leadbot/leadbot/storage"
)

// kill stops the process with SIGKILL and waits until it is gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill leadbot serve: %v", err)
	}
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(20 * time.Second):
		t.Fatal("leadbot serve still running 20s after SIGKILL")
	}
}

// Ten thousand alerts are due, spread over 400 reps. The process is
// killed while it sends them, at the moment WeCom has taken a message but
// before the sender has heard back, the worst moment there is: the
// sender cannot know that message went out. After a restart every alert
// has reached WeCom's members exactly once: the one in doubt was sent
// again, as the same request, and WeCom's duplicate check dropped it.
func TestCrashMidSendDeliversEveryAlertOnce(t *testing.T) {
	const reps, alerts = 400, 10000
	dir := t.TempDir()
	opts := storage.Options{Driver: storage.SQLite, DSN: filepath.Join(dir, "leadbot.db")}
	start := time.Now()
	want := seedLeads(t, opts, reps, alerts, func(i int) time.Time {
		// Overdue by less than the escalation to the team lead (4h):
		// one alert each, to the owner.
		return start.Add(-time.Hour - time.Duration(i)*time.Millisecond)
	})
	t.Logf("seeded %d leads in %s", alerts, time.Since(start).Round(time.Millisecond))

	fake := wecomfake.New(alertCorp, alertSecret, userids(reps)...)
	defer fake.Close()
	inDoubt := make(chan struct{})
	resume := make(chan struct{})
	fake.OnDeliver(func(n int) {
		if n == alerts*3/10 {
			close(inDoubt)
			<-resume // the sender never gets this answer
		}
	})
	env := alertEnv(fake, opts, 3*time.Second)
	p := startServe(t, dir, env...)
	select {
	case <-inDoubt:
	case <-time.After(3 * time.Minute):
		t.Fatalf("only %d of %d alerts sent after 3 minutes; stderr:\n%s", fake.Count(), alerts, p.stderr)
	}
	p.kill(t)
	close(resume)
	before := fake.Count()
	if before >= alerts {
		t.Fatalf("%d messages delivered before the kill, want fewer than %d", before, alerts)
	}
	t.Logf("killed after %d messages, %s after start", before, time.Since(start).Round(time.Millisecond))

	p = startServe(t, dir, env...)
	waitAlerts(fake, want, 3*time.Minute)
	p.stop(t)
	t.Logf("all sent %s after start; %d messages, %d resends dropped by the duplicate check",
		time.Since(start).Round(time.Millisecond), fake.Count(), fake.Suppressed())

	checkOnce(t, fake, want)
	if fake.Suppressed() < 1 {
		t.Errorf("no resend was dropped: the message in doubt at the kill was never sent again")
	}
	if left := pendingNotices(t, opts); len(left) > 0 {
		t.Errorf("%d notices still pending after every alert arrived: %v", len(left), left)
	}
}

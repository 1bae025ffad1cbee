package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot/wecom/wecomfake"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/storage"
)

// The WeCom app the end-to-end alert tests configure.
const (
	alertCorp   = "wwcorp0001"
	alertSecret = "app-secret"
	alertAESKey = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
)

// alertEnv configures leadbot serve for the alert tests: WeCom against
// the fake, no console, no quiet hours, a one-second tick, an outbox
// looked at often with a short lease, and the scheduler lease ttl.
func alertEnv(fake *wecomfake.Server, opts storage.Options, leaseTTL time.Duration) []string {
	return []string{
		"LEADBOT_DATABASE_DRIVER=" + opts.Driver,
		"LEADBOT_DATABASE_DSN=" + opts.DSN,
		"LEADBOT_CONSOLE_ENABLED=off",
		"LEADBOT_QUIET_HOURS=",
		"LEADBOT_SCHEDULER_TICK=1s",
		"LEADBOT_SCHEDULER_LEASE_TTL=" + leaseTTL.String(),
		"LEADBOT_CHAT_OUTBOX_INTERVAL=50ms",
		"LEADBOT_CHAT_OUTBOX_LEASE=5s",
		"LEADBOT_WECOM_CORP_ID=" + alertCorp,
		"LEADBOT_WECOM_AGENT_ID=1000002",
		"LEADBOT_WECOM_SECRET=" + alertSecret,
		"LEADBOT_WECOM_TOKEN=cbToken",
		"LEADBOT_WECOM_AES_KEY=" + alertAESKey,
		"LEADBOT_WECOM_API_BASE=" + fake.URL,
		// The scheduler's other messages are off: these tests count the
		// deadline reminders and alerts, and each message must be one.
		"LEADBOT_CHECKPOINT_SPEC=",
		"LEADBOT_UNTOUCHED_COUNT=0",
		"LEADBOT_LAG_ALERT=0",
		"LEADBOT_ENGINE_CADENCE_A=0",
		"LEADBOT_ENGINE_CADENCE_B=0",
		"LEADBOT_ENGINE_CADENCE_C=0",
		"LEADBOT_ENGINE_CADENCE_NEW_CUSTOMER=0",
		"LEADBOT_ENGINE_CADENCE_SILENCE=0s",
		"LEADBOT_ENGINE_POOL_RECYCLE_AFTER=0s",
		"LEADBOT_ENGINE_POOL_RECYCLE_WARNING=0s",
	}
}

// alertKey is one alert as a member sees it: to whom, about which lead,
// of which tier (0 for the reminder before the deadline).
type alertKey struct {
	user string
	lead string
	tier int
}

func (k alertKey) String() string { return fmt.Sprintf("%s/%s/tier %d", k.user, k.lead, k.tier) }

// The Chinese alert titles, one per tier (bot/i18n zh-CN alert.*.title,
// and remind.title for tier 0), as a card's title or a line of a digest.
var alertTitles = []struct {
	tier int
	re   *regexp.Regexp
}{
	{3, regexp.MustCompile(`升级提醒：(L\d+)（`)},
	{2, regexp.MustCompile(`的线索 (L\d+) 已超时`)},
	{1, regexp.MustCompile(`^(?:• )?(L\d+) 已超时 .*请尽快跟进`)},
	{0, regexp.MustCompile(`^(?:• )?提醒：(L\d+) 将于`)},
}

// alertsIn lists the alerts one message carries: a card's, or every
// line of a text, such as a digest folding several.
func alertsIn(m wecomfake.Message) []alertKey {
	lines := strings.Split(m.Text, "\n")
	if m.MsgType == "template_card" {
		lines = []string{m.Title}
	}
	var out []alertKey
	for _, line := range lines {
		for _, at := range alertTitles {
			if sub := at.re.FindStringSubmatch(strings.TrimSpace(line)); sub != nil {
				out = append(out, alertKey{user: m.ToUser, lead: sub[1], tier: at.tier})
				break
			}
		}
	}
	return out
}

// countAlerts counts each alert the fake delivered.
func countAlerts(fake *wecomfake.Server) map[alertKey]int {
	got := map[alertKey]int{}
	for _, m := range fake.Delivered() {
		for _, k := range alertsIn(m) {
			got[k]++
		}
	}
	return got
}

// checkOnce reports every expected alert not delivered exactly once,
// every alert delivered that was not expected, and every message that
// is not one alert. A reminder (tier 0) to a lead's owner may be missing,
// since none is sent when no scheduler runs from its time until the
// deadline, but never doubled.
func checkOnce(t *testing.T, fake *wecomfake.Server, want map[alertKey]bool) {
	t.Helper()
	got := countAlerts(fake)
	var missing, doubled, stray []string
	for k := range want {
		switch n := got[k]; {
		case n == 0:
			missing = append(missing, k.String())
		case n > 1:
			doubled = append(doubled, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	total := 0
	for k, n := range got {
		total += n
		owner := k
		owner.tier = 1
		switch {
		case k.tier == 0 && want[owner]:
			if n > 1 {
				doubled = append(doubled, fmt.Sprintf("%s ×%d", k, n))
			}
		case !want[k]:
			stray = append(stray, k.String())
		}
	}
	if n := fake.Count(); n != total {
		t.Errorf("members received %d messages carrying %d alerts, want one each", n, total)
	}
	for _, c := range []struct {
		what string
		keys []string
	}{{"never delivered", missing}, {"delivered more than once", doubled}, {"not expected", stray}} {
		if len(c.keys) > 0 {
			t.Errorf("%d alerts %s, such as %v", len(c.keys), c.what, c.keys[:min(5, len(c.keys))])
		}
	}
}

// seedLeads stores reps (each with a WeCom userid, in teams of ten) and
// n leads, lead i due at due(i), read in order just before they are
// stored. The leads go in through leadbot import, run as a process of
// its own (quicker than here under -race), in auto mode over the least
// loaded reps, so that they spread evenly. The assignment cards are then
// marked sent, as if they had gone out long ago. It returns the tier 1
// alert each lead is due, to its owner.
func seedLeads(
	t *testing.T,
	opts storage.Options,
	reps, n int,
	due func(i int) time.Time,
) map[alertKey]bool {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := engine.NewService(engine.Deps{Store: s})
	users := map[engine.RepID]string{}
	capacity := (n+reps-1)/reps + 2
	for i := range reps {
		r := engine.Rep{ID: engine.RepID(fmt.Sprintf("r%04d", i)), Name: fmt.Sprintf("销售%d", i),
			Team: fmt.Sprintf("team%02d", i/10), Role: engine.RoleRep, Capacity: capacity,
			Active: true, WeComUserID: fmt.Sprintf("u%04d", i)}
		if _, err := svc.PutRep(ctx, r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
		users[r.ID] = r.WeComUserID
	}

	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("external_id,company,expected_amount,close_probability,due_at\n")
	for i := range n {
		fmt.Fprintf(&csv, "crm-%05d,客户%d,100000,0.5,%s\n", i, i, due(i).Format(time.RFC3339Nano))
	}
	file := filepath.Join(dir, "leads.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(leadbotBinary(t), "import", "leads", file)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"LEADBOT_DATABASE_DRIVER=" + opts.Driver, "LEADBOT_DATABASE_DSN=" + opts.DSN,
		"LEADBOT_ENGINE_MODE=auto", "LEADBOT_ENGINE_STRATEGY=" + engine.LeastLoadedName,
		"LEADBOT_LOG_LEVEL=warn"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("leadbot import leads: %v\n%s", err, out)
	}

	leads, err := s.Leads(ctx, engine.LeadFilter{Status: engine.StatusAssigned})
	if err != nil {
		t.Fatal(err)
	}
	if len(leads) != n {
		t.Fatalf("%d leads assigned after the import, want %d", len(leads), n)
	}
	want := map[alertKey]bool{}
	for _, l := range leads {
		want[alertKey{user: users[l.Assignee], lead: l.ID.String(), tier: 1}] = true
	}
	drainOutbox(t, s)
	return want
}

// drainOutbox marks every pending notice sent.
func drainOutbox(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := context.Background()
	for {
		items, err := s.ClaimNotices(ctx, time.Now(), time.Hour, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if err := s.CompleteNotice(ctx, it.ID, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if len(items) == 0 {
			return
		}
	}
}

// pendingNotices lists the notices still to send, looking well ahead,
// with no leadbot running.
func pendingNotices(t *testing.T, opts storage.Options) []string {
	t.Helper()
	ctx := context.Background()
	s, err := storage.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.ClaimNotices(ctx, time.Now().Add(24*time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s (attempt %d)", it.Key, it.Attempts))
	}
	return out
}

// waitAlerts polls until the fake has delivered every alert of want or
// the deadline passes.
func waitAlerts(fake *wecomfake.Server, want map[alertKey]bool, deadline time.Duration) {
	for end := time.Now().Add(deadline); time.Now().Before(end); {
		got := countAlerts(fake)
		n := 0
		for k := range want {
			if got[k] > 0 {
				n++
			}
		}
		if n == len(want) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// userids lists the WeCom userids of seedLeads' reps.
func userids(reps int) []string {
	out := make([]string, reps)
	for i := range out {
		out[i] = fmt.Sprintf("u%04d", i)
	}
	return out
}

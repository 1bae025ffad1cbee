package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
	"github.com/leadbot/leadbot/engine/enginetest"
	"github.com/leadbot/leadbot/storage"
	"github.com/leadbot/leadbot/storage/storagetest"
)

// recorder is a channel that keeps what it was sent and can be told to
// fail, as a platform that is down would.
type recorder struct {
	name string
	mu   sync.Mutex
	sent map[string]int // rep + card title -> times
	down bool
}

func newRecorder(name string) *recorder { return &recorder{name: name, sent: map[string]int{}} }

func (r *recorder) Name() string            { return r.name }
func (r *recorder) Reaches(engine.Rep) bool { return true }
func (r *recorder) setDown(down bool)       { r.mu.Lock(); r.down = down; r.mu.Unlock() }
func (r *recorder) count(key string) int    { r.mu.Lock(); defer r.mu.Unlock(); return r.sent[key] }
func (r *recorder) total() (n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.sent {
		n += v
	}
	return n
}

func (r *recorder) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down {
		return "", errors.New("platform down")
	}
	r.sent[string(to.ID)+" "+m.Card.Lead]++
	return fmt.Sprint(len(r.sent)), nil
}

func (r *recorder) Update(ctx context.Context, d engine.Delivery, to engine.Rep, m bot.Message) error {
	return nil
}

type fixture struct {
	store *storage.Store
	svc   *engine.Service
	clock *enginetest.Clock
	rend  *bot.Renderer
}

func newFixture(t *testing.T, s *storage.Store) fixture {
	t.Helper()
	c := enginetest.NewClock(time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC))
	p := engine.DefaultPolicy
	p.Mode = engine.ModePool
	svc := engine.NewService(engine.Deps{Store: s, Clock: c, Policy: p})
	for _, id := range []string{"r1", "r2", "r3"} {
		r := engine.Rep{ID: engine.RepID(id), Name: id, Role: engine.RoleRep, Team: "east", Capacity: 5, Active: true}
		if _, err := svc.PutRep(context.Background(), r, engine.ActorAPI); err != nil {
			t.Fatal(err)
		}
	}
	return fixture{store: s, svc: svc, clock: c, rend: bot.NewRenderer(s, i18n.ZH, time.UTC)}
}

func (f fixture) sender(chs ...bot.Channel) *bot.Sender {
	return bot.NewSender(f.store, f.store, f.rend, chs, bot.SenderOptions{Clock: f.clock, Lease: time.Minute})
}

func (f fixture) intake(t *testing.T, ext string) {
	t.Helper()
	in := engine.LeadInput{ExternalID: ext, Profile: engine.Profile{Company: "公司 " + ext}}
	if _, _, err := f.svc.Intake(context.Background(), in, engine.ActorAPI); err != nil {
		t.Fatal(err)
	}
}

// A sender that dies holding its lease, and one that never ran before a
// restart: the notices written with the decision all arrive, once.
func TestOutboxSurvivesCrash(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.intake(t, "a") // decided and committed; no sender is running

		// A sender leases the notices and dies before sending any.
		if items, err := s.ClaimNotices(ctx, f.clock.Now(), time.Minute, 100); err != nil || len(items) != 4 {
			t.Fatalf("crashing sender leased %d notices, %v; want 3 pool cards and a team notice", len(items), err)
		}
		ch := newRecorder("chat")
		restarted := f.sender(ch)
		if n := restarted.Pass(ctx); n != 0 {
			t.Errorf("restarted sender took %d notices still leased by the dead one, want 0", n)
		}
		f.clock.Add(2 * time.Minute) // the dead sender's lease runs out
		for restarted.Pass(ctx) > 0 {
		}
		for _, rep := range []string{"r1", "r2", "r3"} {
			if got := ch.count(rep + " L1"); got != 1 {
				t.Errorf("pool card of L1 reached %s %d times, want once", rep, got)
			}
		}
		f.clock.Add(time.Hour)
		if n := restarted.Pass(ctx); n != 0 || ch.total() != 3 {
			t.Errorf("later pass sent %d more (total %d), want nothing more", n, ch.total())
		}
	})
}

// A platform that is down is retried with backoff; a platform that took
// the message already is not sent it again.
func TestOutboxRetriesOnlyWhatFailed(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.intake(t, "b")
		up, down := newRecorder("up"), newRecorder("down")
		down.setDown(true)
		snd := f.sender(up, down)
		snd.Pass(ctx)
		if up.total() != 3 || down.total() != 0 {
			t.Fatalf("first pass: up %d, down %d; want 3 and 0", up.total(), down.total())
		}
		if n := snd.Pass(ctx); n != 0 {
			t.Errorf("retry ran before its backoff: %d notices", n)
		}
		down.setDown(false)
		f.clock.Add(time.Hour)
		for snd.Pass(ctx) > 0 {
		}
		if up.total() != 3 || down.total() != 3 {
			t.Errorf("after recovery: up %d, down %d; want 3 and 3", up.total(), down.total())
		}
	})
}

// Two senders on one database (two replicas) deliver every notice once.
func TestOutboxTwoSenders(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		for i := range 10 {
			f.intake(t, fmt.Sprint("c", i))
		}
		ch := newRecorder("chat")
		a, b := f.sender(ch), f.sender(ch)
		var wg sync.WaitGroup
		for _, snd := range []*bot.Sender{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for snd.Pass(ctx) > 0 {
				}
			}()
		}
		wg.Wait()
		if ch.total() != 30 {
			t.Errorf("two senders delivered %d cards, want 30", ch.total())
		}
		for i := range 10 {
			for _, rep := range []string{"r1", "r2", "r3"} {
				if got := ch.count(fmt.Sprintf("%s L%d", rep, i+1)); got != 1 {
					t.Errorf("L%d reached %s %d times", i+1, rep, got)
				}
			}
		}
	})
}

// teamRecorder is a channel with group chats for some teams.
type teamRecorder struct {
	*recorder
	teams  map[string]bool
	posted []string
}

func (r *teamRecorder) NotifyTeam(ctx context.Context, team, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.teams[team] {
		return fmt.Errorf("team %s: %w", team, bot.ErrNoTeamRoute)
	}
	r.posted = append(r.posted, team+": "+text)
	return nil
}

// A pooled lead is announced once in the group of each team that has
// one, as a read-only text that says what to type.
func TestOutboxTeamNotices(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.intake(t, "g")
		ch := &teamRecorder{recorder: newRecorder("chat"), teams: map[string]bool{"east": true}}
		snd := f.sender(ch)
		for snd.Pass(ctx) > 0 {
		}
		f.clock.Add(time.Hour)
		for snd.Pass(ctx) > 0 {
		}
		if len(ch.posted) != 1 || !strings.Contains(ch.posted[0], "抢单 L1") || !strings.HasPrefix(ch.posted[0], "east: ") {
			t.Errorf("group posts = %q, want one to east saying how to claim L1", ch.posted)
		}
		if ch.total() != 3 {
			t.Errorf("pool cards = %d, want 3 besides the group post", ch.total())
		}
	})
}

// cardGroups is a channel whose team groups take clickable cards.
type cardGroups struct {
	*teamRecorder
	cards   map[string]*bot.Card // ref -> latest drawing
	updates int
}

func (c *cardGroups) SendTeamCard(ctx context.Context, team string, m bot.Message) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.teams[team] {
		return "", bot.ErrNoTeamRoute
	}
	ref := team + "/" + m.Card.Key
	c.cards[ref] = m.Card
	return ref, nil
}

func (c *cardGroups) UpdateTeamCard(ctx context.Context, team, ref string, m bot.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cards[ref] = m.Card
	c.updates++
	return nil
}

// Where groups take clicks, the team gets a pool card with a claim
// button, redrawn to say who took the lead.
func TestOutboxTeamCards(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.intake(t, "gc")
		ch := &cardGroups{teamRecorder: &teamRecorder{recorder: newRecorder("chat"),
			teams: map[string]bool{"east": true}}, cards: map[string]*bot.Card{}}
		snd := f.sender(ch)
		for snd.Pass(ctx) > 0 {
		}
		if len(ch.cards) != 1 || len(ch.posted) != 0 {
			t.Fatalf("group cards %d, texts %d; want one card and no text", len(ch.cards), len(ch.posted))
		}
		var ref string
		for r, c := range ch.cards {
			ref = r
			if len(c.Buttons) != 1 || c.Buttons[0].Action != "claim:L1" {
				t.Errorf("team card buttons = %+v, want claim:L1", c.Buttons)
			}
		}
		f.clock.Add(time.Minute)
		if _, err := f.svc.Claim(ctx, 1, "r2", "r2"); err != nil {
			t.Fatal(err)
		}
		for snd.Pass(ctx) > 0 {
		}
		got := ch.cards[ref]
		if ch.updates != 1 || !got.Closed || len(got.Buttons) != 0 || !strings.Contains(got.State, "r2") {
			t.Errorf("team card after the claim = %+v (updates %d), want closed, naming r2", got, ch.updates)
		}
	})
}

// slow is a channel that takes a while for each message, by the clock.
type slow struct {
	*recorder
	clock *enginetest.Clock
	took  time.Duration
}

func (c slow) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	c.clock.Add(c.took)
	return c.recorder.Send(ctx, to, m)
}

// A batch that takes longer than half its lease stops sending, and what
// it left is sent once, after the lease: never by this sender and by
// another that took over the lease while this one was still at it.
func TestOutboxBatchStopsBeforeItsLeaseRunsOut(t *testing.T) {
	storagetest.ForEach(t, func(t *testing.T, s *storage.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.intake(t, "a") // three pool cards and a team notice
		ch := slow{recorder: newRecorder("chat"), clock: f.clock, took: 20 * time.Second}
		first := f.sender(ch) // a lease of one minute
		if n := first.Pass(ctx); n != 4 || ch.total() != 2 {
			t.Fatalf("first pass took %d and sent %d, want 4 taken and 2 sent in the first 30s",
				n, ch.total())
		}
		other := f.sender(ch)
		if n := other.Pass(ctx); n != 0 {
			t.Errorf("another sender took %d notices still leased, want 0", n)
		}
		f.clock.Add(time.Minute)
		for other.Pass(ctx) > 0 {
		}
		for _, rep := range []string{"r1", "r2", "r3"} {
			if got := ch.count(rep + " L1"); got != 1 {
				t.Errorf("pool card of L1 reached %s %d times, want once", rep, got)
			}
		}
	})
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// Channel is one chat platform as the sender sees it.
type Channel interface {
	// Name is the platform's name, such as "console" or "wecom".
	Name() string
	// Reaches reports whether the platform knows how to address the rep.
	Reaches(r engine.Rep) bool
	// Send delivers a message to a rep and returns the platform's handle
	// of it, to update a card later. An error wrapping ErrPermanent will
	// not go away by retrying.
	Send(ctx context.Context, to engine.Rep, m Message) (ref string, err error)
	// Update redraws a card delivered before.
	Update(ctx context.Context, d engine.Delivery, to engine.Rep, m Message) error
}

// ErrPermanent marks a delivery failure that retrying cannot fix, such as
// a recipient the platform does not know.
var ErrPermanent = errors.New("permanent delivery failure")

// TeamChannel is a platform that can post a read-only notice to a team's
// group chat, such as a WeCom group robot.
type TeamChannel interface {
	Channel
	// NotifyTeam posts text to the team's group. An error wrapping
	// ErrNoTeamRoute means the team has no group here, which is no
	// failure.
	NotifyTeam(ctx context.Context, team, text string) error
}

// TeamCardChannel is a platform whose group chats take clickable cards,
// such as DingTalk: the team's pool card has a claim button any member
// may press, and it is redrawn when the lead moves on.
type TeamCardChannel interface {
	TeamChannel
	// SendTeamCard posts a card to the team's group and returns its
	// handle; an error wrapping ErrNoTeamRoute means no group.
	SendTeamCard(ctx context.Context, team string, m Message) (ref string, err error)
	// UpdateTeamCard redraws a team card sent before.
	UpdateTeamCard(ctx context.Context, team, ref string, m Message) error
}

// FoldingChannel is a platform that may carry other messages pending for
// the recipient along with the one it sends, folded into one (a digest).
type FoldingChannel interface {
	Channel
	// Folded returns the keys of the outbox notices that the message
	// with handle ref carried besides the one it was sent for, once.
	Folded(ref string) []string
}

// ErrNoTeamRoute says that a platform has no group chat for a team.
var ErrNoTeamRoute = errors.New("no group chat for the team")

// OutboxStore is what the sender needs of storage.
type OutboxStore interface {
	ClaimNotices(
		ctx context.Context,
		now time.Time,
		lease time.Duration,
		limit int,
	) ([]engine.OutboxItem, error)
	Delivered(ctx context.Context, id int64) (map[string]bool, error)
	RecordDelivery(ctx context.Context, d engine.Delivery) error
	CompleteNotice(ctx context.Context, id int64, at time.Time) error
	RetryNotice(ctx context.Context, id int64, next time.Time, lastErr string, final bool) error
	LeadDeliveries(ctx context.Context, lead engine.LeadID) ([]engine.Delivery, error)
	// NoticeByKey returns the notice with key, or NotFound.
	NoticeByKey(ctx context.Context, key string) (engine.OutboxItem, error)
}

// SenderOptions tune the outbox sender.
type SenderOptions struct {
	// Interval is how often the outbox is looked at when nothing wakes
	// the sender earlier.
	Interval time.Duration
	// Lease is how long a notice stays with this sender before another
	// may take it over.
	Lease time.Duration
	// MaxAttempts is how many tries a notice gets before it is given up.
	MaxAttempts int
	Clock       engine.Clock
	Log         *slog.Logger
	// Metrics, when set, is told of every delivery attempt and notice.
	Metrics SenderObserver
}

// Sender delivers the outbox: every notice the engine wrote is rendered
// for its recipient and sent on every channel that reaches them, retried
// with backoff while a platform is down, and recorded per platform so
// that a retry after a partial failure sends nothing twice.
type Sender struct {
	store    OutboxStore
	reps     RepSource
	render   *Renderer
	channels []Channel
	opt      SenderOptions
	wake     chan struct{}
}

// RepSource finds what rendering draws: reps, leads and disputes.
type RepSource interface {
	Rep(ctx context.Context, id engine.RepID) (engine.Rep, error)
	Lead(ctx context.Context, id engine.LeadID) (engine.Lead, error)
	Disputes(ctx context.Context, f engine.DisputeFilter) ([]engine.Dispute, error)
	Transfer(ctx context.Context, id engine.TransferID) (engine.TransferRequest, error)
	LeadEvents(ctx context.Context, id engine.LeadID) ([]engine.LeadEvent, error)
	Collaborators(ctx context.Context, id engine.LeadID) ([]engine.Collaborator, error)
	Milestones(ctx context.Context, id engine.LeadID) ([]engine.Milestone, error)
}

// NewSender returns a sender over the channels.
func NewSender(
	store OutboxStore,
	reps RepSource,
	r *Renderer,
	channels []Channel,
	o SenderOptions,
) *Sender {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 12
	}
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = noSenderObserver{}
	}
	return &Sender{store: store, reps: reps, render: r, channels: channels, opt: o,
		wake: make(chan struct{}, 1)}
}

// Kick makes the sender look at the outbox now rather than at its next
// interval.
func (s *Sender) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.opt.Interval)
	defer t.Stop()
	for {
		for s.Pass(ctx) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// Pass delivers one batch of due notices and returns how many it took.
// The batch is leased for Lease; once half of that has gone by, the
// notices not started yet are left for their lease to run out, since
// another sender may take over a notice whose lease ran out while it was
// still being sent here, and both would send it.
func (s *Sender) Pass(ctx context.Context) int {
	claimed := s.opt.Clock.Now()
	items, err := s.store.ClaimNotices(ctx, claimed, s.opt.Lease, 50)
	if err != nil {
		if ctx.Err() == nil {
			s.opt.Log.Warn("outbox unavailable", slog.Any("err", err))
		}
		return 0
	}
	for i, it := range items {
		if s.opt.Clock.Now().Sub(claimed) >= s.opt.Lease/2 {
			s.opt.Log.Warn("outbox batch outran its lease", slog.Int("left", len(items)-i),
				slog.Duration("lease", s.opt.Lease))
			break
		}
		s.deliver(ctx, it)
	}
	return len(items)
}

func (s *Sender) deliver(ctx context.Context, it engine.OutboxItem) {
	var err error
	switch {
	case it.Kind == engine.NoticeLeadChanged:
		err = s.updateCards(ctx, it)
	case it.Kind == engine.NoticeTeam, it.Kind == engine.NoticeTeamCheckpoint && it.To == "":
		err = s.notifyTeam(ctx, it)
	default:
		err = s.send(ctx, it)
	}
	now := s.opt.Clock.Now()
	if err == nil {
		s.opt.Metrics.ObserveNotice("sent")
		if err := s.store.CompleteNotice(ctx, it.ID, now); err != nil {
			s.opt.Log.Warn(
				"notice not marked sent",
				slog.Int64("notice_id", it.ID),
				slog.Any("err", err),
			)
		}
		return
	}

	final := errors.Is(err, ErrPermanent) || it.Attempts >= s.opt.MaxAttempts
	next := now.Add(backoff(it.Attempts))
	attrs := []any{
		slog.Int64("notice_id", it.ID),
		slog.String("lead_id", it.LeadID.String()),
		slog.String("rep_id", string(it.To)),
		slog.Int("attempt", it.Attempts),
		slog.Any("err", err),
	}
	if final {
		s.opt.Metrics.ObserveNotice("given_up")
		s.opt.Log.Error("notice given up", attrs...)
	} else {
		s.opt.Metrics.ObserveNotice("retried")
		s.opt.Log.Warn("notice retried", append(attrs, slog.Time("next", next))...)
	}
	if err := s.store.RetryNotice(ctx, it.ID, next, err.Error(), final); err != nil {
		s.opt.Log.Warn(
			"notice not rescheduled",
			slog.Int64("notice_id", it.ID),
			slog.Any("err", err),
		)
	}
}

// backoff grows from 2s to half an hour, with jitter so that replicas
// and recipients do not retry in step.
func backoff(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt, 10)
	d = min(d, 30*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (s *Sender) send(ctx context.Context, it engine.OutboxItem) error {
	to, err := s.reps.Rep(ctx, it.To)
	if err != nil {
		return fmt.Errorf(
			"load recipient %s: %w",
			it.To,
			errors.Join(err, permanentIf(engine.KindOf(err) == engine.NotFound)),
		)
	}
	done, err := s.store.Delivered(ctx, it.ID)
	if err != nil {
		return err
	}
	m, err := s.render.Notice(ctx, it.Notice, to)
	if err != nil {
		return err
	}
	m.Notice = it.Key
	var errs []error
	for _, ch := range s.channels {
		if done[ch.Name()] || !ch.Reaches(to) {
			continue
		}
		ref, err := ch.Send(ctx, to, m)
		s.opt.Metrics.ObserveDelivery(ch.Name(), "send", err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
			continue
		}
		d := engine.Delivery{OutboxID: it.ID, Platform: ch.Name(), RepID: to.ID, LeadID: it.LeadID,
			Ref: ref, At: s.opt.Clock.Now()}
		if err := s.store.RecordDelivery(ctx, d); err != nil {
			errs = append(errs, err)
		}
		if fc, ok := ch.(FoldingChannel); ok {
			errs = append(errs, s.recordFolded(ctx, ch.Name(), fc.Folded(ref), d))
		}
		s.opt.Log.Debug(
			"notice sent",
			slog.Int64("notice_id", it.ID),
			slog.String("platform", ch.Name()),
			slog.String("rep_id", string(to.ID)),
			slog.String("lead_id", it.LeadID.String()),
		)
	}
	return errors.Join(errs...)
}

// recordFolded records the notices a message carried besides its own as
// delivered with it, so that their retries, here or in another replica,
// do not send them again.
func (s *Sender) recordFolded(ctx context.Context, platform string, keys []string, d engine.Delivery) error {
	var errs []error
	for _, key := range keys {
		it, err := s.store.NoticeByKey(ctx, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("record notice carried by %s: %w", d.Ref, err))
			continue
		}
		carried := d
		carried.OutboxID, carried.RepID, carried.LeadID = it.ID, it.To, it.LeadID
		if err := s.store.RecordDelivery(ctx, carried); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func permanentIf(b bool) error {
	if b {
		return ErrPermanent
	}
	return nil
}

// updateCards redraws every card shown for a lead, for each viewer.
func (s *Sender) updateCards(ctx context.Context, it engine.OutboxItem) error {
	ds, err := s.store.LeadDeliveries(ctx, it.LeadID)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range ds {
		ch := s.channel(d.Platform)
		if d.Notice.Kind == engine.NoticeTeam {
			if err := s.updateTeamCard(ctx, d); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", d.Platform, err))
			}
			continue
		}
		if ch == nil || d.Notice.Kind == engine.NoticeText {
			continue
		}
		viewer, err := s.reps.Rep(ctx, d.RepID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m, err := s.render.Notice(ctx, d.Notice, viewer)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = ch.Update(ctx, d, viewer, m)
		s.opt.Metrics.ObserveDelivery(ch.Name(), "update", err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
		}
	}
	return errors.Join(errs...)
}

func (s *Sender) channel(name string) Channel {
	for _, ch := range s.channels {
		if ch.Name() == name {
			return ch
		}
	}
	return nil
}

// notifyTeam posts a pool notice to the team's group on every platform
// that has one for it.
func (s *Sender) notifyTeam(ctx context.Context, it engine.OutboxItem) error {
	done, err := s.store.Delivered(ctx, it.ID)
	if err != nil {
		return err
	}
	text, err := s.render.TeamNotice(ctx, it.Notice)
	if err != nil {
		return err
	}
	var errs []error
	for _, ch := range s.channels {
		tc, ok := ch.(TeamChannel)
		if !ok || done[ch.Name()] {
			continue
		}
		ref, err := s.postTeam(ctx, tc, it.Notice, text)
		if errors.Is(err, ErrNoTeamRoute) {
			continue
		}
		s.opt.Metrics.ObserveDelivery(ch.Name(), "team", err)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
			continue
		}
		d := engine.Delivery{
			OutboxID: it.ID,
			Platform: ch.Name(),
			RepID:    engine.RepID("team:" + it.Text),
			LeadID:   it.LeadID,
			Ref:      ref,
			At:       s.opt.Clock.Now(),
		}
		if err := s.store.RecordDelivery(ctx, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// postTeam sends the team's pool card where the platform's groups take
// clicks, and the read-only text elsewhere and for team digests.
func (s *Sender) postTeam(ctx context.Context, tc TeamChannel, n engine.Notice, text string) (string, error) {
	cc, ok := tc.(TeamCardChannel)
	if !ok || n.Kind != engine.NoticeTeam {
		return "", tc.NotifyTeam(ctx, n.Text, text)
	}
	card, err := s.render.TeamCard(ctx, n)
	if err != nil {
		return "", err
	}
	return cc.SendTeamCard(ctx, n.Text, Message{Card: card})
}

// updateTeamCard redraws a team's pool card after the lead moved on.
func (s *Sender) updateTeamCard(ctx context.Context, d engine.Delivery) error {
	cc, ok := s.channel(d.Platform).(TeamCardChannel)
	if !ok || d.Ref == "" {
		return nil
	}
	card, err := s.render.TeamCard(ctx, d.Notice)
	if err != nil {
		return err
	}
	return cc.UpdateTeamCard(ctx, d.Notice.Text, d.Ref, Message{Card: card})
}

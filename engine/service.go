package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Policy is the configurable part of how leads are handled.
type Policy struct {
	Mode Mode
	// FirstTouch is how soon after assignment the first follow-up is due,
	// per tier, when the lead does not bring its own deadline.
	FirstTouch map[Tier]time.Duration
	// Hours is the working day first-touch deadlines count in, in each
	// owner's time zone.
	Hours BusinessHours
	// TransferApproval makes a rep's hand-over wait for the team lead.
	TransferApproval bool
	// Lang is the language of the reasons decisions give.
	Lang Lang
	// ClaimsPerDay caps the leads one rep may claim from the pool in a
	// day (in the rep's time zone); 0 sets no cap.
	ClaimsPerDay int
	// ReclaimCooldown is how long a rep who gave a lead back must wait
	// before claiming it again; 0 lets them at once.
	ReclaimCooldown time.Duration
	// Schedule is when deadlines are chased.
	Schedule Schedule
	// RecycleAfter is how long a held lead may go without a follow-up
	// before it goes back to the pool; 0 never. RecycleWarning is how
	// long before that its owner is warned.
	RecycleAfter   time.Duration
	RecycleWarning time.Duration
	// DisputeArbiter, when set, may decide any dispute alone, including
	// a cross-region one whose teams' managers disagree.
	DisputeArbiter RepID
	// DisputeEscalateAfter is how long a dispute may wait undecided
	// before it goes up to the arbiter (or every manager); 0 never.
	DisputeEscalateAfter time.Duration
	// ProtectExisting is how long the owner of an existing customer keeps
	// it against ownership disputes, settled without a manager; 0 turns
	// the rule off.
	ProtectExisting time.Duration
	// Collaboration adds squads and pairing-rule collaborators to leads
	// that get an owner.
	Collaboration CollaborationOptions
	// Checkpoints are the progress digests, the untouched-work alert and
	// the folding of missed alerts.
	Checkpoints Checkpoints
	// Cadence is how often held leads must be touched, and when a
	// silence is long enough to alert.
	Cadence Cadence
	// Milestones is how milestones are planned back from a lead's target
	// close date, and chased.
	Milestones MilestonePlan
	// MaxHeld caps the open leads a rep may hold from claims at once:
	// the assigned leads whose current holding began with a claim from
	// the pool. Closed leads, won or lost, never count; 0 sets no cap.
	MaxHeld int
	// Visibility is who may see and claim a pooled lead.
	Visibility PoolVisibility
	// Zones is the time zone rule of routing and claims.
	Zones ZoneRule
}

// DefaultPolicy is the policy a new installation starts with.
var DefaultPolicy = Policy{
	Mode:       ModeHybrid,
	Schedule:   DefaultSchedule,
	Hours:      DefaultHours,
	Cadence:    DefaultCadence,
	Milestones: DefaultMilestones,
	Zones:      DefaultZoneRule,
	// In business hours: A half a day, B a working day, C three.
	FirstTouch: map[Tier]time.Duration{
		TierA: 4 * time.Hour,
		TierB: 9 * time.Hour,
		TierC: 27 * time.Hour,
	},
}

// DefaultHours are 09:00 to 18:00, Monday to Friday.
var DefaultHours, _ = ParseBusinessHours("09:00-18:00", "mon-fri", nil)

// Service carries out Leadbot's use cases. Every entry point (REST, chat,
// import, scheduler) goes through it, so each rule lives in one place.
// Each use case that changes state is one store transaction: the state,
// its history and its audit lines are written together or not at all.
type Service struct {
	store  Store
	clock  Clock
	scorer Scorer
	router Router
	policy Policy
	log    *slog.Logger
	learn  *learning
	fit    *fitter
	// decided is told of each decision once its transaction commits.
	decided func(context.Context, CommittedDecision)
}

// Deps are what a Service is built from. Clock, Scorer, Router and Log
// default to the system clock, a WeightedScorer on DefaultWeights,
// RoundRobin and a logger that discards.
type Deps struct {
	Store  Store
	Clock  Clock
	Scorer Scorer
	Router Router
	Policy Policy
	Log    *slog.Logger
	// LearnEvery is after how many new closed deals the strategies that
	// learn are retrained in the background; 0 leaves retraining to
	// explicit Relearn calls.
	LearnEvery int
	// OnDecision, when set, is called once for each routing decision
	// after the transaction that logged it commits (never for a rolled
	// back or dry-run one), on the caller's goroutine: it must be quick.
	OnDecision func(context.Context, CommittedDecision)
}

// NewService returns a Service on d.
func NewService(d Deps) *Service {
	s := &Service{store: d.Store, clock: d.Clock, scorer: d.Scorer,
		router: d.Router, policy: d.Policy, log: d.Log, decided: d.OnDecision}
	if s.clock == nil {
		s.clock = SystemClock{}
	}
	if s.policy.Mode == "" {
		s.policy = DefaultPolicy
	}
	if s.scorer == nil {
		w := DefaultWeights()
		w.Lang = s.policy.Lang
		s.scorer, _ = NewWeightedScorer(w, s.clock)
	}
	if s.router == nil {
		s.router = RoundRobin{Lang: s.policy.Lang}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.learn = &learning{every: int64(d.LearnEvery)}
	s.fit = &fitter{}
	learners := []any{s.router, s.scorer}
	if s.policy.Visibility.has(VisibleFit) {
		learners = append(learners, s.fit)
	}
	for _, c := range learners {
		if l, ok := c.(Learner); ok {
			s.learn.learners = append(s.learn.learners, l)
		}
	}
	return s
}

// Store returns the store the service works on, for read-only views.
func (s *Service) Store() Store { return s.store }

// now is the service's time, to the millisecond that both databases keep.
func (s *Service) now() time.Time { return s.clock.Now().Truncate(time.Millisecond) }

// update runs fn in a transaction and, once it has committed, emits the
// log lines fn queued and reports the decisions it logged, so a
// rolled-back attempt logs and counts nothing.
func (s *Service) update(ctx context.Context, fn func(tx Tx, logs *logQueue) error) error {
	var logs logQueue
	var seen *decisionTx
	err := s.store.Update(ctx, func(tx Tx) error {
		logs = logs[:0]
		if s.decided != nil {
			seen = newDecisionTx(tx)
			tx = seen
		}
		return fn(tx, &logs)
	})
	if err != nil {
		return err
	}
	for _, l := range logs {
		s.log.LogAttrs(ctx, slog.LevelInfo, l.msg, l.attrs...)
	}
	if seen != nil {
		for _, d := range seen.committed() {
			s.decided(ctx, d)
		}
	}
	return nil
}

type logLine struct {
	msg   string
	attrs []slog.Attr
}

type logQueue []logLine

func (q *logQueue) add(msg string, attrs ...slog.Attr) {
	*q = append(*q, logLine{msg, attrs})
}

// PutRep creates or replaces a rep's profile. Raising a capacity or
// activating a rep may let standby leads through, in the same
// transaction.
func (s *Service) PutRep(ctx context.Context, r Rep, actor Actor) (Rep, error) {
	if err := r.Validate(); err != nil {
		return Rep{}, err
	}
	now := s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	var out Rep
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		var err error
		out, err = tx.PutRep(ctx, r)
		if err != nil {
			return err
		}
		entry := AuditEntry{
			At:      now,
			Actor:   actor,
			Action:  "rep.put",
			Subject: string(r.ID),
			Detail: fmt.Sprintf(
				"role %s, team %q, capacity %d, active %t",
				r.Role,
				r.Team,
				r.Capacity,
				r.Active,
			),
		}
		if err := tx.Audit(ctx, entry); err != nil {
			return err
		}
		logs.add("rep saved", slog.String("rep_id", string(r.ID)), slog.String("team", r.Team))
		return s.drainStandby(ctx, tx, now, logs)
	})
	if err != nil {
		return Rep{}, err
	}
	return s.store.Rep(ctx, out.ID)
}

// Reps returns the roster with each rep's open task count.
func (s *Service) Reps(ctx context.Context) ([]Rep, error) { return s.store.Reps(ctx) }

// Lead returns one lead, or NotFound.
func (s *Service) Lead(ctx context.Context, id LeadID) (Lead, error) {
	return s.store.Lead(ctx, id)
}

// MaxListLimit is the most rows one list call returns.
const MaxListLimit = 1000

// Leads lists leads. An unknown status is Invalid.
func (s *Service) Leads(ctx context.Context, f LeadFilter) ([]Lead, error) {
	switch f.Status {
	case "", StatusPool, StatusStandby, StatusAssigned, StatusWon, StatusLost:
	default:
		return nil, invalid("status", "invalid_value",
			"is %q, must be one of pool, standby, assigned, won, lost", f.Status)
	}
	if f.Limit < 0 || f.Limit > MaxListLimit {
		return nil, invalid(
			"limit",
			"out_of_range",
			"is %d, must be from 1 to %d",
			f.Limit,
			MaxListLimit,
		)
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.VisibleTo != "" {
		return s.visibleLeads(ctx, f)
	}
	return s.store.Leads(ctx, f)
}

// LeadHistory returns everything that happened to a lead, oldest first.
func (s *Service) LeadHistory(ctx context.Context, id LeadID) ([]LeadEvent, error) {
	if _, err := s.store.Lead(ctx, id); err != nil {
		return nil, err
	}
	return s.store.LeadEvents(ctx, id)
}

// Decisions returns the decision log of a lead, oldest first: every
// routing, claim, release and hand-over, with its reasons.
func (s *Service) Decisions(ctx context.Context, id LeadID) ([]Decision, error) {
	if _, err := s.store.Lead(ctx, id); err != nil {
		return nil, err
	}
	return s.store.Decisions(ctx, id)
}

// Disputes lists disputes, newest first.
func (s *Service) Disputes(ctx context.Context, f DisputeFilter) ([]Dispute, error) {
	switch f.Status {
	case "", DisputeOpen, DisputeApproved, DisputeRejected, DisputeAuto:
	default:
		return nil, invalid("status", "invalid_value",
			"is %q, must be one of open, approved, rejected, auto", f.Status)
	}
	if f.Limit <= 0 || f.Limit > MaxListLimit {
		f.Limit = MaxListLimit
	}
	return s.store.Disputes(ctx, f)
}

// errDryRun rolls back a transaction whose results were only wanted for
// a preview.
var errDryRun = errors.New("dry run")

func (s *Service) dryRunnable(
	ctx context.Context,
	dry bool,
	fn func(tx Tx, logs *logQueue) error,
) error {
	err := s.update(ctx, func(tx Tx, logs *logQueue) error {
		if err := fn(tx, logs); err != nil {
			return err
		}
		if dry {
			return errDryRun
		}
		return nil
	})
	if dry && errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

package engine

import (
	"context"
	"time"
)

// Clock tells the time. Services take one so that tests move time
// instead of waiting for it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// Store keeps Leadbot's state. Reads outside Update see committed data.
// Every method returns an *Error of kind Unavailable when the database
// cannot be reached.
type Store interface {
	Reader

	// Update runs fn in one read-write transaction: everything fn writes
	// is kept, or nothing is. Transient conflicts (a deadlock, a busy
	// database) are retried, so fn may run more than once and must have no
	// effect outside tx. Update returns fn's error unchanged.
	Update(ctx context.Context, fn func(tx Tx) error) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}

// Reader is the part of a store that only reads.
type Reader interface {
	// Rep returns one rep, or NotFound.
	Rep(ctx context.Context, id RepID) (Rep, error)
	// Reps returns every rep, ordered by id.
	Reps(ctx context.Context) ([]Rep, error)
	// Lead returns one lead, or NotFound.
	Lead(ctx context.Context, id LeadID) (Lead, error)
	// Leads returns leads in id order.
	Leads(ctx context.Context, f LeadFilter) ([]Lead, error)
	// LeadEvents returns a lead's history, oldest first; empty for an
	// unknown lead.
	LeadEvents(ctx context.Context, id LeadID) ([]LeadEvent, error)
	// Ownerships returns who held a lead when, oldest first.
	Ownerships(ctx context.Context, id LeadID) ([]Ownership, error)
	// Disputes returns disputes, newest first.
	Disputes(ctx context.Context, f DisputeFilter) ([]Dispute, error)
	// Dispute returns one dispute, or NotFound.
	Dispute(ctx context.Context, id DisputeID) (Dispute, error)
	// Transfer returns one transfer request, or NotFound.
	Transfer(ctx context.Context, id TransferID) (TransferRequest, error)
	// CountEvents counts the history lines of one kind about a rep since
	// a time.
	CountEvents(ctx context.Context, rep RepID, ev Event, since time.Time) (int, error)
	// DueLeads returns up to limit assigned leads with a step of the
	// scheduler due by the cutoffs: the reminder of a lead not reminded
	// yet, or the alert of the tier after its own; earliest deadline
	// first, then by id.
	DueLeads(ctx context.Context, by DueBy, limit int) ([]Lead, error)
	// StaleLeads returns up to limit assigned leads due a step of
	// recycling: whose latest follow-up (or, without one, their
	// assignment) is by by.Warn and who were not warned yet, or is by
	// by.Recycle; in id order.
	StaleLeads(ctx context.Context, by StaleBy, limit int) ([]Lead, error)
	// Decisions returns a lead's decision log, oldest first.
	Decisions(ctx context.Context, id LeadID) ([]Decision, error)
	// Deals returns up to limit closed deals, newest first.
	Deals(ctx context.Context, limit int) ([]Deal, error)
	// RecentTierA returns the owners of the latest limit tier A
	// assignments, newest first.
	RecentTierA(ctx context.Context, limit int) ([]RepID, error)
	// ExperimentLeads returns the leads routed in the named experiment,
	// in id order; empty for an unknown experiment.
	ExperimentLeads(ctx context.Context, name string) ([]ExperimentLead, error)
	// Collaborators returns everyone who worked on a lead beside its
	// owner, live or ended, oldest first.
	Collaborators(ctx context.Context, id LeadID) ([]Collaborator, error)
	// LiveCollaborations counts each rep's live collaborations; reps
	// with none are absent.
	LiveCollaborations(ctx context.Context) (map[RepID]int, error)
	// LapsedCollaborations returns up to limit live collaborations whose
	// EndsAt is by before, earliest first.
	LapsedCollaborations(ctx context.Context, before time.Time, limit int) ([]Collaborator, error)
	// ClosedLeads returns up to limit leads closed at or after since and
	// before until, with an id after afterID, in id order.
	ClosedLeads(
		ctx context.Context,
		since, until time.Time,
		afterID LeadID,
		limit int,
	) ([]Lead, error)
	// CadenceDue returns up to limit assigned leads whose CadenceAt is
	// at or before before, earliest first.
	CadenceDue(ctx context.Context, before time.Time, limit int) ([]Lead, error)
	// Milestones returns a lead's milestones, earliest date first; empty
	// for a lead without any.
	Milestones(ctx context.Context, id LeadID) ([]Milestone, error)
	// DueMilestones returns up to limit open milestones whose next chase
	// is at or before before, earliest first.
	DueMilestones(ctx context.Context, before time.Time, limit int) ([]Milestone, error)
	// CountHeld counts the assigned leads the rep holds now whose
	// current holding began by how (assigned, claimed, transferred).
	CountHeld(ctx context.Context, rep RepID, how Event) (int, error)
	// LastHolders returns, of the given leads, who held each last; a
	// lead nobody ever held is missing from the map.
	LastHolders(ctx context.Context, ids []LeadID) (map[LeadID]RepID, error)
	// LagCandidates returns up to limit assigned leads as f selects them,
	// for the scheduler's check of progress against plan.
	LagCandidates(ctx context.Context, f LagFilter) ([]Lead, error)
	// Targets returns the target versions f selects, in id order.
	Targets(ctx context.Context, f TargetFilter) ([]Target, error)
	// WorkDone returns how much of q.Metric each of q.Reps did from
	// q.Since up to q.Until; reps who did none are absent.
	WorkDone(ctx context.Context, q WorkQuery) (map[RepID]float64, error)
}

// Tx is a read-write transaction. The methods that change a row
// conditionally report with a bool whether the condition held, so that of
// many concurrent callers exactly one wins.
type Tx interface {
	Reader

	// LeadIDsByExternalID returns the ids of the leads that already have
	// one of the given external ids.
	LeadIDsByExternalID(ctx context.Context, ids []string) (map[string]LeadID, error)
	// DealExternalIDs returns which of the given external ids closed-deal
	// history already holds.
	DealExternalIDs(ctx context.Context, ids []string) (map[string]bool, error)

	// PutRep creates or replaces a rep's profile, keeping its open task
	// count, last assignment and creation time. Conflict (code
	// "chat_user_taken") when another rep has its chat user id.
	PutRep(ctx context.Context, r Rep) (Rep, error)
	// InsertLeads stores new leads and sets their ids. Conflict (code
	// "duplicate_external_id") when an external id is taken.
	InsertLeads(ctx context.Context, leads []*Lead) error
	// TransitionLead applies c if the lead's status is c.From (and, when
	// c.FromAssignee is set, its assignee is that rep), and reports
	// whether it was.
	TransitionLead(ctx context.Context, c LeadChange) (bool, error)
	// TouchLead records the owner's follow-up on an assigned lead, if the
	// lead is still assigned to t.Owner (and, for an acceptance, not yet
	// accepted), and reports whether it was.
	TouchLead(ctx context.Context, t LeadTouch) (bool, error)
	// ReserveCapacity adds one open task to an active rep who has room,
	// and reports whether the rep had room.
	ReserveCapacity(ctx context.Context, id RepID, at time.Time) (bool, error)
	// ReleaseCapacity takes one open task from a rep.
	ReleaseCapacity(ctx context.Context, id RepID) error
	// StandbyLeads returns up to limit leads waiting for capacity, best
	// tier first, oldest first within a tier.
	StandbyLeads(ctx context.Context, limit int) ([]Lead, error)

	// StartOwnerships records that reps began to hold leads.
	StartOwnerships(ctx context.Context, os ...Ownership) error
	// EndOwnership closes the lead's open ownership, if any.
	EndOwnership(ctx context.Context, id LeadID, at time.Time, reason string) error
	// AppendEvents adds lines to lead histories.
	AppendEvents(ctx context.Context, events ...LeadEvent) error
	// AppendDecisions adds routing decisions to the decision log.
	AppendDecisions(ctx context.Context, ds ...LoggedDecision) error
	// InsertDeals adds closed deals to the history the engine learns from.
	InsertDeals(ctx context.Context, deals []Deal) error
	// Audit adds lines to the audit log.
	Audit(ctx context.Context, entries ...AuditEntry) error
	// InsertDispute stores a new dispute and returns its id.
	InsertDispute(ctx context.Context, d Dispute) (DisputeID, error)
	// MarkChased records that the scheduler chased the lead about the
	// deadline due: tier 0 for the reminder, 1 to 3 for overdue alerts.
	// It reports false when the lead, its deadline or its chasing moved
	// on meanwhile, so that a notice is queued once.
	MarkChased(ctx context.Context, id LeadID, due time.Time, tier int) (bool, error)
	// DecideDispute records the decision on an open dispute (status,
	// decider, time, comment, split) and reports whether it was open.
	DecideDispute(ctx context.Context, d Dispute) (bool, error)
	// VoteDispute records a team's approval of a dispute and returns the
	// teams that have approved it so far.
	VoteDispute(ctx context.Context, id DisputeID, team string, by RepID, at time.Time) ([]string, error)
	// MarkRecycleWarned records that the owner was warned the lead goes
	// back to the pool, and reports whether it was held by owner and not
	// warned yet.
	MarkRecycleWarned(ctx context.Context, id LeadID, owner RepID) (bool, error)
	// HeldLeadsLike returns the assigned leads of any of the companies
	// or with any of the contact phones.
	HeldLeadsLike(ctx context.Context, companies, phones []string) ([]Lead, error)
	// InsertTransfer stores a new transfer request and returns its id.
	InsertTransfer(ctx context.Context, r TransferRequest) (TransferID, error)
	// DecideTransfer records the decision on a pending request, and
	// reports whether it was still pending.
	DecideTransfer(ctx context.Context, id TransferID, status TransferStatus, by RepID, at time.Time) (bool, error)
	// Enqueue adds notices to the outbox. A notice whose key is already
	// there is skipped.
	Enqueue(ctx context.Context, notices ...Notice) error
	// StartCollaborations records collaborators joining leads.
	StartCollaborations(ctx context.Context, cs ...Collaborator) error
	// EndCollaborations ends the live collaborations e selects and
	// returns those it ended; one that another transaction ended first
	// is not returned.
	EndCollaborations(ctx context.Context, e CollaborationEnd) ([]Collaborator, error)
	// AdvanceMark moves the named scan mark forward to at, and reports
	// whether it moved: false when the mark is at at or later already,
	// so that of many scans of the same moment exactly one wins.
	AdvanceMark(ctx context.Context, name string, at time.Time) (bool, error)

	// AdvanceCadence moves the lead's CadenceAt from from to next (nil:
	// nothing more to look at), and reports whether the lead was still
	// assigned with CadenceAt at from, so that one scan of many acts.
	AdvanceCadence(ctx context.Context, id LeadID, from time.Time, next *time.Time) (bool, error)
	// SetTargetClose sets or clears the lead's target close date, and
	// reports whether the lead was still open.
	SetTargetClose(ctx context.Context, id LeadID, target *time.Time, at time.Time) (bool, error)
	// SaveMilestones stores milestones: those without an id are added
	// and get one; the others replace their open row's date, due time
	// and chasing. A lead has one milestone of each kind: Conflict (code
	// "milestone_exists") when one is added twice.
	SaveMilestones(ctx context.Context, ms []*Milestone) error
	// AdvanceMilestone records that the chasing of m reached stage, with
	// the next chase at next (nil: none), and reports whether m was still
	// open at its stage and due time, so that a notice is queued once.
	AdvanceMilestone(ctx context.Context, m Milestone, stage int, next *time.Time) (bool, error)
	// FinishMilestone marks an open milestone done, and reports whether
	// it was open.
	FinishMilestone(ctx context.Context, id MilestoneID, by Actor, at time.Time) (bool, error)
	// InsertTarget stores a new target version and returns its id.
	InsertTarget(ctx context.Context, t Target) (TargetID, error)
}

// LoggedDecision is a decision about one lead, for the decision log.
type LoggedDecision struct {
	LeadID LeadID
	Decision
}

// LeadChange moves a lead from one status to another. Assignee, DueAt
// and Decision replace the lead's; the closing fields are set only when
// To is closed.
type LeadChange struct {
	ID           LeadID
	From, To     Status
	FromAssignee RepID
	Assignee     RepID
	DueAt        *time.Time
	Decision     *Decision
	ClosedAmount *float64
	// NewHolder clears the previous holder's progress and acceptance.
	NewHolder bool
	At        time.Time
	// NewDeadline records a supervisor's extension: the scheduler's
	// chasing of DueAt starts afresh (no reminder or alert sent about it
	// yet), and so does the plan, at At.
	NewDeadline bool
}

// LeadTouch is an owner's follow-up: an acceptance, or progress.
type LeadTouch struct {
	ID       LeadID
	Owner    RepID
	Accept   bool
	Progress *int
	At       time.Time
}

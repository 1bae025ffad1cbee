package engine

import (
	"strconv"
	"strings"
	"time"
)

// LeadID identifies a lead. It is written "L12"; parsing also accepts
// "12", "#12" and "#L12", the forms people type in chat.
type LeadID int64

func (id LeadID) String() string { return "L" + strconv.FormatInt(int64(id), 10) }

// ParseLeadID reads a lead id in any of the forms LeadID documents.
func ParseLeadID(s string) (LeadID, error) {
	return parseID(s, "L", "lead id")
}

// DisputeID identifies a dispute. It is written "D3".
type DisputeID int64

func (id DisputeID) String() string { return "D" + strconv.FormatInt(int64(id), 10) }

// ParseDisputeID reads a dispute id written "D3", "3" or "#3".
func ParseDisputeID(s string) (DisputeID, error) {
	id, err := parseID(s, "D", "dispute id")
	return DisputeID(id), err
}

func parseID(s, prefix, what string) (LeadID, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if len(t) > 0 && strings.EqualFold(t[:1], prefix) {
		t = t[1:]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, invalid("id", "invalid_id", "%q is not a %s (want %s12 or 12)", s, what, prefix)
	}
	return LeadID(n), nil
}

// RepID identifies a rep. The integrating system chooses it.
type RepID string

// Role is what a person may do in Leadbot.
type Role string

// The roles.
const (
	RoleRep     Role = "rep"
	RoleLead    Role = "lead"
	RoleManager Role = "manager"
)

// Rep is a person who can own leads, or a team lead or manager who
// supervises those who do.
type Rep struct {
	ID             RepID
	Name           string
	Team           string
	Role           Role
	Level          string
	Capacity       int
	Industries     []string
	Regions        []string
	Timezone       string
	WeComUserID    string
	DingTalkUserID string
	Active         bool
	// Language is the rep's chat language, "zh-CN" or "en"; "" is the
	// installation's default.
	Language string
	// Away is set while the rep is out (on leave, travelling): they get
	// no new leads and claim none, and keep what they hold.
	Away bool
	// Skills are tags pairing rules look for, such as
	// technical_consultant.
	Skills []string

	// OpenTasks counts the assigned leads the rep holds now. The store
	// keeps it in step with every assignment and close.
	OpenTasks int
	// LastAssignedAt is when the rep last received a lead, zero if never.
	LastAssignedAt time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// HasRoom reports whether the rep may take one more open task.
func (r Rep) HasRoom() bool { return r.OpenTasks < r.Capacity }

// Status is where a lead stands.
type Status string

// The lead statuses.
const (
	StatusPool     Status = "pool"
	StatusStandby  Status = "standby"
	StatusAssigned Status = "assigned"
	StatusWon      Status = "won"
	StatusLost     Status = "lost"
)

// Closed reports whether the lead has an outcome.
func (s Status) Closed() bool { return s == StatusWon || s == StatusLost }

// Tier is a lead's value class from the probability by deal size grid.
type Tier string

// The tiers, best first.
const (
	TierA Tier = "A"
	TierB Tier = "B"
	TierC Tier = "C"
)

// CustomerType tells a new customer from an existing one.
type CustomerType string

// The customer types.
const (
	CustomerNew      CustomerType = "new"
	CustomerExisting CustomerType = "existing"
)

// Outcome is how a deal ended.
type Outcome string

// The outcomes.
const (
	Won  Outcome = "won"
	Lost Outcome = "lost"
)

// Mode says what happens to a new lead.
type Mode string

// The routing modes.
const (
	// ModeAuto assigns every new lead at once.
	ModeAuto Mode = "auto"
	// ModePool puts every new lead in the open pool.
	ModePool Mode = "pool"
	// ModeHybrid assigns tier A leads at once and pools the rest.
	ModeHybrid Mode = "hybrid"
)

// Contact is the person to reach at the customer.
type Contact struct {
	Name  string
	Phone string
}

// Profile is what is known of a prospective deal: the inputs to scoring
// and to learning what each rep is good at.
type Profile struct {
	Company          string
	Contact          Contact
	Industry         string
	ProductLine      string
	CustomerType     CustomerType
	CompanySize      int
	Region           string
	ExpectedAmount   float64
	CloseProbability *float64
	Source           string
	Interactions     int
	Attributes       map[string]any
}

// LeadInput is a lead as an outside system hands it in.
type LeadInput struct {
	ExternalID string
	Profile
	// DueAt, when set, is the deadline of the first follow-up.
	DueAt *time.Time
	// TargetClose, when set, is the date the deal should close by, held
	// as midnight UTC of that date; milestones are planned back from it.
	TargetClose *time.Time
	// Timezone, when set, is the customer's IANA time zone.
	Timezone string
}

// Lead is a lead with Leadbot's view of it.
type Lead struct {
	ID         LeadID
	ExternalID string
	Profile

	Score    float64
	Tier     Tier
	Status   Status
	Assignee RepID // "" unless a rep holds it
	DueAt    *time.Time
	// Decision explains the latest assignment, or why there was none.
	Decision *Decision

	// Progress is the owner's own estimate of how far along it is, 0-100.
	Progress int
	// AcceptedAt is when the owner accepted it; nil until then.
	AcceptedAt *time.Time
	// TouchedAt is the owner's latest recorded follow-up.
	TouchedAt *time.Time
	// Reminded and AlertTier record what the scheduler has sent about the
	// current deadline: the reminder before it, and the highest overdue
	// tier (1 owner, 2 team lead, 3 manager).
	Reminded  bool
	AlertTier int
	// HeldSince is when the current owner got it; RecycleWarned that the
	// owner was warned it goes back to the pool without a follow-up.
	HeldSince     *time.Time
	RecycleWarned bool
	// TargetClose is the date the deal should close by (midnight UTC of
	// that date), nil if none was set.
	TargetClose *time.Time
	// CadenceAt is when the scheduler next looks at the lead's follow-up
	// cadence; the store sets it to the moment of every touch and change
	// of holder, and nil while nobody holds the lead.
	CadenceAt *time.Time

	CreatedAt    time.Time
	UpdatedAt    time.Time
	ClosedAt     *time.Time
	ClosedAmount *float64
	// ExtendedAt is when a supervisor last moved the current holder's
	// deadline, nil if never; the plan progress is measured against
	// restarts there.
	ExtendedAt *time.Time
	// Timezone is the customer's IANA time zone, "" when the lead named
	// none; routing may then take one from the lead's region.
	Timezone string
}

// Decision records why a lead went where it went, in words a manager can
// read, and whom else the strategy considered.
type Decision struct {
	Strategy   string
	RepID      RepID // "" when nobody was chosen
	Reasons    []string
	Candidates []Candidate
	// Load is how many open tasks the chosen rep held before this lead:
	// what the engine learns the effect of load from.
	Load int
	At   time.Time
	// Experiment and Arm name the A/B test the lead is in and its side,
	// "" outside any; a lead keeps them through every later decision.
	Experiment string
	Arm        Arm
	// Inputs are the facts about the lead the decision was made on, as
	// they stood then; nil on decisions logged before they were kept.
	Inputs *DecisionInputs
}

// DecisionInputs are what a routing decision knew of its lead: its
// assessment, the profile fields the strategies weigh, the routing mode,
// and how many reps were weighed (0 when a person chose, by a claim or a
// hand-over). A later edit of the lead leaves them as they were.
type DecisionInputs struct {
	Score float64
	Tier  Tier
	// CloseProbability is the lead's own, nil when it gave none and the
	// engine estimated one.
	CloseProbability *float64
	ExpectedAmount   float64
	Industry         string
	ProductLine      string
	CustomerType     CustomerType
	CompanySize      int
	Region           string
	Source           string
	// Timezone is the customer's time zone the lead named, "" if none.
	Timezone string
	Mode     Mode
	Roster   int
}

// Candidate is a rep a strategy considered, with its score in [0, 1].
type Candidate struct {
	RepID RepID
	Score float64
	// Parts are what the score is made of; see ScorePart.
	Parts []ScorePart
}

// Deal is a closed deal: history loaded from a CRM, or a lead of ours
// that reached an outcome. The engine learns from deals.
type Deal struct {
	ExternalID string
	LeadID     LeadID // 0 for imported history
	Profile
	RepID    RepID
	Outcome  Outcome
	Amount   float64
	ClosedAt time.Time
	// AssignedLoad is the owner's open tasks when the lead came to them;
	// nil for imported history, which does not say.
	AssignedLoad *int
}

// Event names what happened to a lead in its history.
type Event string

// The lead history events.
const (
	EventCreated     Event = "created"
	EventAssigned    Event = "assigned"
	EventClaimed     Event = "claimed"
	EventReleased    Event = "released"
	EventTransferred Event = "transferred"
	EventProgress    Event = "progress"
	EventReminded    Event = "reminded"
	EventAlerted     Event = "alerted"
	EventDisputed    Event = "disputed"
	EventDecided     Event = "decided"
	EventClosed      Event = "closed"
	EventAccepted    Event = "accepted"
	// EventCollabJoined and EventCollabLeft mark a collaborator joining
	// and leaving a lead's work; RepID is the collaborator.
	EventCollabJoined Event = "collab_joined"
	EventCollabLeft   Event = "collab_left"
)

// LeadEvent is one line of a lead's history. Nothing in it is deleted.
type LeadEvent struct {
	LeadID LeadID
	At     time.Time
	Event  Event
	Actor  Actor
	RepID  RepID
	Detail string
}

// Actor says who caused a change: "engine", "api", "import", or a rep.
type Actor string

// The actors that are not people.
const (
	ActorEngine Actor = "engine"
	ActorAPI    Actor = "api"
	ActorImport Actor = "import"
)

// AuditEntry is one line of the audit log: who did what to which thing.
type AuditEntry struct {
	At      time.Time
	Actor   Actor
	Action  string
	Subject string
	Detail  string
}

// Ownership is one stretch of time during which a rep held a lead.
type Ownership struct {
	LeadID    LeadID
	RepID     RepID
	How       Event // assigned, claimed or transferred
	StartedAt time.Time
	EndedAt   *time.Time
	EndReason string
}

// DisputeKind is what a dispute is about.
type DisputeKind string

// The dispute kinds.
const (
	DisputeOwnership   DisputeKind = "ownership"
	DisputeCommission  DisputeKind = "commission"
	DisputeCrossRegion DisputeKind = "cross_region"
)

// DisputeStatus is where a dispute stands.
type DisputeStatus string

// The dispute statuses.
const (
	DisputeOpen     DisputeStatus = "open"
	DisputeApproved DisputeStatus = "approved"
	DisputeRejected DisputeStatus = "rejected"
	DisputeAuto     DisputeStatus = "auto"
)

// Dispute is a rep's challenge of a lead's ownership or commission.
type Dispute struct {
	ID        DisputeID
	LeadID    LeadID
	Kind      DisputeKind
	Status    DisputeStatus
	FiledBy   RepID
	Against   RepID // "" when the lead had no holder
	Reason    string
	FiledAt   time.Time
	DecidedBy RepID
	DecidedAt *time.Time
	Comment   string
	// Split is the filer's share of the commission a decision gave, 0 to
	// 1; nil when it split nothing. Proposed is the share the filer asked
	// for, if any.
	Split    *float64
	Proposed *float64
}

// LeadFilter selects leads for a list. Zero fields select everything.
type LeadFilter struct {
	Status   Status
	Assignee RepID
	// AfterID continues a list after the lead with this id.
	AfterID LeadID
	// BestFirst orders by tier, then score, instead of by id.
	BestFirst bool
	Limit     int
	// VisibleTo, when set, keeps the pooled leads this rep may see and
	// claim under the pool's visibility rules.
	VisibleTo RepID
}

// DisputeFilter selects disputes for a list.
type DisputeFilter struct {
	LeadID LeadID
	Status DisputeStatus
	Limit  int
}

package storage

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// The row types below are the schema. Sizes match engine's input limits;
// every column that a list or a scheduler scans is indexed.

type repRow struct {
	ID             string     `gorm:"primaryKey;size:64"`
	Name           string     `gorm:"size:100;not null"`
	Team           string     `gorm:"size:64;not null;default:'';index"`
	Role           string     `gorm:"size:16;not null"`
	Level          string     `gorm:"size:64;not null;default:''"`
	Capacity       int        `gorm:"not null"`
	OpenTasks      int        `gorm:"not null;default:0"`
	Industries     []string   `gorm:"serializer:json;type:text"`
	Regions        []string   `gorm:"serializer:json;type:text"`
	Timezone       string     `gorm:"size:64;not null;default:''"`
	WeComUserID    *string    `gorm:"column:wecom_userid;size:64;uniqueIndex"`
	DingTalkUserID *string    `gorm:"column:dingtalk_userid;size:64;uniqueIndex"`
	Active         bool       `gorm:"not null;index"`
	Language       string     `gorm:"size:8;not null;default:''"`
	Away           bool       `gorm:"not null;default:false"`
	Skills         []string   `gorm:"serializer:json;type:text"`
	LastAssignedAt *time.Time `gorm:"precision:3"`
	CreatedAt      time.Time  `gorm:"precision:3;not null"`
	UpdatedAt      time.Time  `gorm:"precision:3;not null"`
}

func (repRow) TableName() string { return "reps" }

type leadRow struct {
	ID               int64          `gorm:"primaryKey;autoIncrement"`
	ExternalID       string         `gorm:"size:128;not null;uniqueIndex"`
	Company          string         `gorm:"size:256;not null;index"`
	ContactName      string         `gorm:"size:100;not null;default:''"`
	ContactPhone     string         `gorm:"size:64;not null;default:'';index"`
	Industry         string         `gorm:"size:64;not null;default:''"`
	ProductLine      string         `gorm:"size:64;not null;default:''"`
	CustomerType     string         `gorm:"size:16;not null;default:''"`
	CompanySize      int            `gorm:"not null;default:0"`
	Region           string         `gorm:"size:64;not null;default:''"`
	ExpectedAmount   float64        `gorm:"not null;default:0"`
	CloseProbability *float64       ``
	Source           string         `gorm:"size:64;not null;default:''"`
	Interactions     int            `gorm:"not null;default:0"`
	Attributes       map[string]any `gorm:"serializer:json;type:text"`
	Score            float64        `gorm:"not null"`
	Tier             string         `gorm:"size:1;not null;index:idx_leads_queue,priority:2"`
	Status           string         `gorm:"size:16;not null;index:idx_leads_queue,priority:1;index:idx_leads_due,priority:1;index:idx_leads_held,priority:1;index:idx_leads_cadence,priority:1;index:idx_leads_chase,priority:1;index:idx_leads_idle,priority:1"`
	Assignee         *string        `gorm:"size:64;index:idx_leads_assignee,priority:1"`
	DueAt            *time.Time     `gorm:"precision:3;index;index:idx_leads_due,priority:2;index:idx_leads_chase,priority:4"`
	Decision         *decisionDoc   `gorm:"type:text"`
	Progress         int            `gorm:"not null;default:0"`
	AcceptedAt       *time.Time     `gorm:"precision:3"`
	TouchedAt        *time.Time     `gorm:"precision:3;index:idx_leads_idle,priority:3"`
	Reminded         bool           `gorm:"not null;default:false;index:idx_leads_chase,priority:3"`
	AlertTier        int            `gorm:"not null;default:0;index:idx_leads_chase,priority:2"`
	HeldSince        *time.Time     `gorm:"precision:3;index:idx_leads_held,priority:2;index:idx_leads_idle,priority:4"`
	RecycleWarned    bool           `gorm:"not null;default:false;index:idx_leads_idle,priority:2"`
	CreatedAt        time.Time      `gorm:"precision:3;not null;index"`
	UpdatedAt        time.Time      `gorm:"precision:3;not null"`
	ClosedAt         *time.Time     `gorm:"precision:3;index:idx_leads_closed"`
	ClosedAmount     *float64       ``
	TargetCloseAt    *time.Time     `gorm:"precision:3"`
	CadenceAt        *time.Time     `gorm:"precision:3;index:idx_leads_cadence,priority:2"`
	ExtendedAt       *time.Time     `gorm:"precision:3"`
	Timezone         string         `gorm:"size:64;not null;default:''"`
}

func (leadRow) TableName() string { return "leads" }

// decisionDoc is a decision as stored in JSON columns; its keys are part
// of the schema, independent of engine's field names.
type decisionDoc struct {
	Strategy   string         `json:"strategy"`
	RepID      string         `json:"rep_id,omitempty"`
	Reasons    []string       `json:"reasons"`
	Candidates []candidateDoc `json:"candidates,omitempty"`
	Load       int            `json:"load"`
	At         time.Time      `json:"at"`
	Experiment string         `json:"experiment,omitempty"`
	Arm        string         `json:"arm,omitempty"`
	Inputs     *inputsDoc     `json:"inputs,omitempty"`
}

// inputsDoc is what a decision knew of its lead, as stored.
type inputsDoc struct {
	Score            float64  `json:"score"`
	Tier             string   `json:"tier"`
	CloseProbability *float64 `json:"close_probability,omitempty"`
	ExpectedAmount   float64  `json:"expected_amount"`
	Industry         string   `json:"industry,omitempty"`
	ProductLine      string   `json:"product_line,omitempty"`
	CustomerType     string   `json:"customer_type,omitempty"`
	CompanySize      int      `json:"company_size,omitempty"`
	Region           string   `json:"region,omitempty"`
	Source           string   `json:"source,omitempty"`
	Timezone         string   `json:"timezone,omitempty"`
	Mode             string   `json:"mode,omitempty"`
	Roster           int      `json:"roster"`
}

func toInputsDoc(in *engine.DecisionInputs) *inputsDoc {
	if in == nil {
		return nil
	}
	return &inputsDoc{Score: in.Score, Tier: string(in.Tier), CloseProbability: in.CloseProbability,
		ExpectedAmount: in.ExpectedAmount, Industry: in.Industry, ProductLine: in.ProductLine,
		CustomerType: string(in.CustomerType), CompanySize: in.CompanySize, Region: in.Region,
		Source: in.Source, Timezone: in.Timezone, Mode: string(in.Mode), Roster: in.Roster}
}

func (d *inputsDoc) toEngine() *engine.DecisionInputs {
	if d == nil {
		return nil
	}
	return &engine.DecisionInputs{Score: d.Score, Tier: engine.Tier(d.Tier),
		CloseProbability: d.CloseProbability, ExpectedAmount: d.ExpectedAmount,
		Industry: d.Industry, ProductLine: d.ProductLine,
		CustomerType: engine.CustomerType(d.CustomerType), CompanySize: d.CompanySize,
		Region: d.Region, Source: d.Source, Timezone: d.Timezone, Mode: engine.Mode(d.Mode),
		Roster: d.Roster}
}

// Value stores the decision as JSON.
func (d decisionDoc) Value() (driver.Value, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

// Scan reads a decision stored by Value.
func (d *decisionDoc) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(v), d)
	case []byte:
		return json.Unmarshal(v, d)
	}
	return fmt.Errorf("decision column holds %T, want text", src)
}

type candidateDoc struct {
	RepID string    `json:"rep_id"`
	Score float64   `json:"score"`
	Parts []partDoc `json:"parts,omitempty"`
}

// partDoc is one part of a candidate's score, as stored.
type partDoc struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Weight float64 `json:"weight"`
}

type leadEventRow struct {
	ID     int64     `gorm:"primaryKey;autoIncrement"`
	LeadID int64     `gorm:"not null;index:idx_lead_events_lead,priority:1"`
	At     time.Time `gorm:"precision:3;not null;index"`
	Event  string    `gorm:"size:16;not null;index:idx_lead_events_rep,priority:2"`
	Actor  string    `gorm:"size:64;not null"`
	RepID  string    `gorm:"size:64;not null;default:'';index:idx_lead_events_rep,priority:1"`
	Detail string    `gorm:"type:text"`
}

func (leadEventRow) TableName() string { return "lead_events" }

type ownershipRow struct {
	ID        int64      `gorm:"primaryKey;autoIncrement"`
	LeadID    int64      `gorm:"not null;index:idx_ownerships_lead,priority:1"`
	RepID     string     `gorm:"size:64;not null;index"`
	How       string     `gorm:"size:16;not null"`
	StartedAt time.Time  `gorm:"precision:3;not null;index"`
	EndedAt   *time.Time `gorm:"precision:3;index"`
	EndReason string     `gorm:"size:64;not null;default:''"`
}

func (ownershipRow) TableName() string { return "ownerships" }

type decisionRow struct {
	ID         int64          `gorm:"primaryKey;autoIncrement"`
	LeadID     int64          `gorm:"not null;index"`
	At         time.Time      `gorm:"precision:3;not null;index"`
	Strategy   string         `gorm:"size:32;not null;index"`
	RepID      string         `gorm:"size:64;not null;default:'';index"`
	Reasons    []string       `gorm:"serializer:json;type:text"`
	Candidates []candidateDoc `gorm:"serializer:json;type:text"`
	// Experiment and Arm place the lead in an A/B test; a report reads
	// every decision of one experiment.
	Experiment string `gorm:"size:64;not null;default:'';index"`
	Arm        string `gorm:"size:16;not null;default:''"`
	// Inputs is what the decision knew of the lead; null on rows logged
	// before it was kept.
	Inputs *inputsDoc `gorm:"serializer:json;type:text"`
}

func (decisionRow) TableName() string { return "decisions" }

type dealRow struct {
	ID             int64          `gorm:"primaryKey;autoIncrement"`
	ExternalID     *string        `gorm:"size:128;uniqueIndex"`
	LeadID         *int64         `gorm:"index"`
	RepID          string         `gorm:"size:64;not null;index"`
	Outcome        string         `gorm:"size:8;not null"`
	Amount         float64        `gorm:"not null"`
	ClosedAt       time.Time      `gorm:"precision:3;not null;index"`
	Company        string         `gorm:"size:256;not null"`
	Industry       string         `gorm:"size:64;not null;default:''"`
	ProductLine    string         `gorm:"size:64;not null;default:''"`
	CustomerType   string         `gorm:"size:16;not null;default:''"`
	CompanySize    int            `gorm:"not null;default:0"`
	Region         string         `gorm:"size:64;not null;default:''"`
	ExpectedAmount float64        `gorm:"not null;default:0"`
	Source         string         `gorm:"size:64;not null;default:''"`
	Interactions   int            `gorm:"not null;default:0"`
	Attributes     map[string]any `gorm:"serializer:json;type:text"`
	AssignedLoad   *int           ``
}

func (dealRow) TableName() string { return "deals" }

type auditRow struct {
	ID      int64     `gorm:"primaryKey;autoIncrement"`
	At      time.Time `gorm:"precision:3;not null;index"`
	Actor   string    `gorm:"size:64;not null;index"`
	Action  string    `gorm:"size:64;not null;index"`
	Subject string    `gorm:"size:128;not null;index"`
	Detail  string    `gorm:"type:text"`
}

func (auditRow) TableName() string { return "audit_log" }

type disputeRow struct {
	ID        int64      `gorm:"primaryKey;autoIncrement"`
	LeadID    int64      `gorm:"not null;index"`
	Kind      string     `gorm:"size:16;not null"`
	Status    string     `gorm:"size:16;not null;index"`
	FiledBy   string     `gorm:"size:64;not null"`
	Against   *string    `gorm:"size:64"`
	Reason    string     `gorm:"type:text"`
	FiledAt   time.Time  `gorm:"precision:3;not null"`
	DecidedBy *string    `gorm:"size:64"`
	DecidedAt *time.Time `gorm:"precision:3"`
	Comment   string     `gorm:"type:text"`
	// Split is the filer's share of the commission when a decision
	// splits it, from 0 to 1; ProposedSplit the share the filer asked for.
	Split         *float64
	ProposedSplit *float64
}

func (disputeRow) TableName() string { return "disputes" }

// disputeVoteRow is one team manager's approval of a cross-region
// dispute, which both teams must give.
type disputeVoteRow struct {
	ID        int64     `gorm:"primaryKey;autoIncrement"`
	DisputeID int64     `gorm:"not null;uniqueIndex:idx_dispute_votes_once,priority:1"`
	Team      string    `gorm:"size:64;not null;uniqueIndex:idx_dispute_votes_once,priority:2"`
	RepID     string    `gorm:"size:64;not null"`
	At        time.Time `gorm:"precision:3;not null"`
}

func (disputeVoteRow) TableName() string { return "dispute_votes" }

// allRows lists every table, in creation order.
var allRows = []any{
	&repRow{}, &leadRow{}, &leadEventRow{}, &ownershipRow{},
	&decisionRow{}, &dealRow{}, &auditRow{}, &disputeRow{},
	&outboxRow{}, &deliveryRow{}, &transferRow{}, &inboundRow{}, &leaseRow{},
	&disputeVoteRow{}, &cardCodeRow{}, &collaboratorRow{}, &markRow{},
	&milestoneRow{},
	&targetRow{},
}

func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func dbTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := dbTime(*t)
	return &v
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toRepRow(r engine.Rep) repRow {
	return repRow{
		ID: string(r.ID), Name: r.Name, Team: r.Team, Role: string(r.Role), Level: r.Level,
		Capacity: r.Capacity, OpenTasks: r.OpenTasks, Industries: r.Industries, Regions: r.Regions,
		Timezone: r.Timezone, WeComUserID: optString(r.WeComUserID),
		DingTalkUserID: optString(r.DingTalkUserID), Active: r.Active, Language: r.Language, Away: r.Away,
		Skills:    r.Skills,
		CreatedAt: dbTime(r.CreatedAt), UpdatedAt: dbTime(r.UpdatedAt),
	}
}

func (r repRow) toEngine() engine.Rep {
	out := engine.Rep{
		ID: engine.RepID(r.ID), Name: r.Name, Team: r.Team, Role: engine.Role(r.Role),
		Level: r.Level, Capacity: r.Capacity, Industries: r.Industries, Regions: r.Regions,
		Timezone: r.Timezone, WeComUserID: deref(r.WeComUserID),
		DingTalkUserID: deref(r.DingTalkUserID), Active: r.Active, Language: r.Language, Away: r.Away,
		OpenTasks: r.OpenTasks, Skills: r.Skills,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.LastAssignedAt != nil {
		out.LastAssignedAt = *r.LastAssignedAt
	}
	return out
}

func toLeadRow(l engine.Lead) leadRow {
	p := l.Profile
	return leadRow{
		ID: int64(l.ID), ExternalID: l.ExternalID, Company: p.Company,
		ContactName: p.Contact.Name, ContactPhone: p.Contact.Phone, Industry: p.Industry,
		ProductLine: p.ProductLine, CustomerType: string(p.CustomerType),
		CompanySize: p.CompanySize, Region: p.Region, ExpectedAmount: p.ExpectedAmount,
		CloseProbability: p.CloseProbability, Source: p.Source, Interactions: p.Interactions,
		Attributes: p.Attributes, Score: l.Score, Tier: string(l.Tier), Status: string(l.Status),
		Assignee: optString(string(l.Assignee)), DueAt: dbTimePtr(l.DueAt),
		Decision: toDecisionDoc(l.Decision), Progress: l.Progress, AcceptedAt: dbTimePtr(l.AcceptedAt),
		TouchedAt: dbTimePtr(l.TouchedAt), Reminded: l.Reminded, AlertTier: l.AlertTier,
		HeldSince: dbTimePtr(l.HeldSince), RecycleWarned: l.RecycleWarned,
		CreatedAt: dbTime(l.CreatedAt),
		UpdatedAt: dbTime(l.UpdatedAt), ClosedAt: dbTimePtr(l.ClosedAt), ClosedAmount: l.ClosedAmount,
		TargetCloseAt: dbTimePtr(l.TargetClose), CadenceAt: cadenceStart(l),
		ExtendedAt: dbTimePtr(l.ExtendedAt),
		Timezone:   l.Timezone,
	}
}

// cadenceStart is when the scheduler first looks at a stored lead's
// cadence: when its holder got it.
func cadenceStart(l engine.Lead) *time.Time {
	if l.CadenceAt == nil && l.Status == engine.StatusAssigned {
		return dbTimePtr(l.HeldSince)
	}
	return dbTimePtr(l.CadenceAt)
}

func (r leadRow) toEngine() engine.Lead {
	return engine.Lead{
		ID: engine.LeadID(r.ID), ExternalID: r.ExternalID,
		Profile: engine.Profile{
			Company: r.Company, Contact: engine.Contact{Name: r.ContactName, Phone: r.ContactPhone},
			Industry: r.Industry, ProductLine: r.ProductLine,
			CustomerType: engine.CustomerType(r.CustomerType), CompanySize: r.CompanySize,
			Region: r.Region, ExpectedAmount: r.ExpectedAmount, CloseProbability: r.CloseProbability,
			Source: r.Source, Interactions: r.Interactions, Attributes: r.Attributes,
		},
		Score: r.Score, Tier: engine.Tier(r.Tier), Status: engine.Status(r.Status),
		Assignee: engine.RepID(deref(r.Assignee)), DueAt: r.DueAt,
		Decision: r.Decision.toEngine(), Progress: r.Progress, AcceptedAt: r.AcceptedAt,
		TouchedAt: r.TouchedAt, Reminded: r.Reminded, AlertTier: r.AlertTier,
		HeldSince: r.HeldSince, RecycleWarned: r.RecycleWarned,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		ClosedAt: r.ClosedAt, ClosedAmount: r.ClosedAmount,
		TargetClose: r.TargetCloseAt, CadenceAt: r.CadenceAt,
		ExtendedAt: r.ExtendedAt,
		Timezone:   r.Timezone,
	}
}

func toDecisionDoc(d *engine.Decision) *decisionDoc {
	if d == nil {
		return nil
	}
	doc := &decisionDoc{Strategy: d.Strategy, RepID: string(d.RepID), Reasons: d.Reasons,
		Candidates: toCandidateDocs(d.Candidates), Load: d.Load, At: dbTime(d.At),
		Experiment: d.Experiment, Arm: string(d.Arm), Inputs: toInputsDoc(d.Inputs)}
	return doc
}

func toCandidateDocs(cs []engine.Candidate) []candidateDoc {
	out := make([]candidateDoc, len(cs))
	for i, c := range cs {
		out[i] = candidateDoc{RepID: string(c.RepID), Score: c.Score, Parts: toPartDocs(c.Parts)}
	}
	return out
}

func fromCandidateDocs(cs []candidateDoc) []engine.Candidate {
	out := make([]engine.Candidate, len(cs))
	for i, c := range cs {
		out[i] = engine.Candidate{RepID: engine.RepID(c.RepID), Score: c.Score,
			Parts: fromPartDocs(c.Parts)}
	}
	return out
}

func (d *decisionDoc) toEngine() *engine.Decision {
	if d == nil {
		return nil
	}
	return &engine.Decision{Strategy: d.Strategy, RepID: engine.RepID(d.RepID), Reasons: d.Reasons,
		Candidates: fromCandidateDocs(d.Candidates), Load: d.Load, At: d.At,
		Experiment: d.Experiment, Arm: engine.Arm(d.Arm), Inputs: d.Inputs.toEngine()}
}

func toDealRow(d engine.Deal) dealRow {
	p := d.Profile
	row := dealRow{
		ExternalID: optString(d.ExternalID), RepID: string(d.RepID), Outcome: string(d.Outcome),
		Amount: d.Amount, ClosedAt: dbTime(d.ClosedAt), Company: p.Company, Industry: p.Industry,
		ProductLine: p.ProductLine, CustomerType: string(p.CustomerType),
		CompanySize: p.CompanySize, Region: p.Region, ExpectedAmount: p.ExpectedAmount,
		Source: p.Source, Interactions: p.Interactions, Attributes: p.Attributes,
		AssignedLoad: d.AssignedLoad,
	}
	if d.LeadID != 0 {
		id := int64(d.LeadID)
		row.LeadID = &id
	}
	return row
}

func (r disputeRow) toEngine() engine.Dispute {
	return engine.Dispute{
		ID: engine.DisputeID(r.ID), LeadID: engine.LeadID(r.LeadID),
		Kind: engine.DisputeKind(r.Kind), Status: engine.DisputeStatus(r.Status),
		FiledBy: engine.RepID(r.FiledBy), Against: engine.RepID(deref(r.Against)),
		Reason: r.Reason, FiledAt: r.FiledAt, DecidedBy: engine.RepID(deref(r.DecidedBy)),
		DecidedAt: r.DecidedAt, Comment: r.Comment, Split: r.Split, Proposed: r.ProposedSplit,
	}
}

type outboxRow struct {
	ID          int64      `gorm:"primaryKey;autoIncrement"`
	Key         string     `gorm:"size:191;not null;uniqueIndex"`
	Kind        string     `gorm:"size:32;not null"`
	LeadID      int64      `gorm:"not null;index"`
	RepID       string     `gorm:"size:64;not null;default:'';index"`
	Text        string     `gorm:"size:128;not null;default:''"`
	Args        string     `gorm:"type:text"`
	Status      string     `gorm:"size:16;not null;index:idx_outbox_due,priority:1"`
	NextAt      time.Time  `gorm:"precision:3;not null;index:idx_outbox_due,priority:2"`
	Attempts    int        `gorm:"not null;default:0"`
	LeaseUntil  *time.Time `gorm:"precision:3"`
	LastError   string     `gorm:"type:text"`
	CreatedAt   time.Time  `gorm:"precision:3;not null"`
	CompletedAt *time.Time `gorm:"precision:3"`
}

func (outboxRow) TableName() string { return "outbox" }

// deliveryRow records that a notice reached one platform, so a retry
// after a partial failure skips the platforms already done.
type deliveryRow struct {
	ID       int64     `gorm:"primaryKey;autoIncrement"`
	OutboxID int64     `gorm:"not null;uniqueIndex:idx_deliveries_once,priority:1"`
	Platform string    `gorm:"size:16;not null;uniqueIndex:idx_deliveries_once,priority:2;index:idx_deliveries_feed,priority:1"`
	RepID    string    `gorm:"size:64;not null;index:idx_deliveries_feed,priority:2"`
	LeadID   int64     `gorm:"not null;index"`
	Ref      string    `gorm:"size:191;not null;default:''"`
	At       time.Time `gorm:"precision:3;not null;index"`
}

func (deliveryRow) TableName() string { return "deliveries" }

type transferRow struct {
	ID          int64      `gorm:"primaryKey;autoIncrement"`
	LeadID      int64      `gorm:"not null;index"`
	FromRep     string     `gorm:"size:64;not null"`
	ToRep       string     `gorm:"size:64;not null"`
	RequestedBy string     `gorm:"size:64;not null"`
	Status      string     `gorm:"size:16;not null;index"`
	DecidedBy   string     `gorm:"size:64;not null;default:''"`
	RequestedAt time.Time  `gorm:"precision:3;not null"`
	DecidedAt   *time.Time `gorm:"precision:3"`
}

func (transferRow) TableName() string { return "transfers" }

func (r transferRow) toEngine() engine.TransferRequest {
	return engine.TransferRequest{ID: engine.TransferID(r.ID), LeadID: engine.LeadID(r.LeadID),
		From: engine.RepID(r.FromRep), To: engine.RepID(r.ToRep), RequestedBy: engine.RepID(r.RequestedBy),
		Status: engine.TransferStatus(r.Status), DecidedBy: engine.RepID(r.DecidedBy),
		RequestedAt: r.RequestedAt, DecidedAt: r.DecidedAt}
}

func (r dealRow) toEngine() engine.Deal {
	d := engine.Deal{ExternalID: deref(r.ExternalID), RepID: engine.RepID(r.RepID),
		Outcome: engine.Outcome(r.Outcome), Amount: r.Amount, ClosedAt: r.ClosedAt,
		AssignedLoad: r.AssignedLoad,
		Profile: engine.Profile{Company: r.Company, Industry: r.Industry, ProductLine: r.ProductLine,
			CustomerType: engine.CustomerType(r.CustomerType), CompanySize: r.CompanySize, Region: r.Region,
			ExpectedAmount: r.ExpectedAmount, Source: r.Source, Interactions: r.Interactions,
			Attributes: r.Attributes}}
	if r.LeadID != nil {
		d.LeadID = engine.LeadID(*r.LeadID)
	}
	return d
}

// inboundRow records a platform delivery by its platform id, so that a
// retried or redelivered message acts once across replicas and restarts.
type inboundRow struct {
	ID       int64     `gorm:"primaryKey;autoIncrement"`
	Platform string    `gorm:"size:16;not null;uniqueIndex:idx_inbound_once,priority:1"`
	MsgID    string    `gorm:"size:191;not null;uniqueIndex:idx_inbound_once,priority:2"`
	At       time.Time `gorm:"precision:3;not null;index"`
}

func (inboundRow) TableName() string { return "inbound" }

// leaseRow names which process holds a job that only one may run, such
// as the scheduler, until when.
type leaseRow struct {
	Name      string    `gorm:"primaryKey;size:64"`
	Holder    string    `gorm:"size:128;not null"`
	ExpiresAt time.Time `gorm:"precision:3;not null"`
}

func (leaseRow) TableName() string { return "leases" }

// cardCodeRow is the code that lets the next update of a delivered card
// through, on platforms that hand out one per send and click.
type cardCodeRow struct {
	Platform string    `gorm:"primaryKey;size:16"`
	Card     string    `gorm:"primaryKey;size:191"`
	Code     string    `gorm:"size:255;not null"`
	At       time.Time `gorm:"precision:3;not null;index"`
}

func (cardCodeRow) TableName() string { return "card_codes" }

// Package command reads what people type to Leadbot in chat, in Chinese
// or English, into a Command.
//
// Parsing forgives what chat clients and input methods produce:
// full-width digits, letters and punctuation, a leading bot mention,
// Chinese verbs glued to the lead id ("抢单12"), odd spacing and trailing
// punctuation. It returns no text for people: a command that does not
// parse is an *Error whose Code, Verb and Lang let the caller answer from
// the i18n catalogue, under the keys Code.Key and Verb.UsageKey name.
package command

import (
	"fmt"
	"strings"
	"time"

	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Verb names what a command does.
type Verb string

// The verbs. Accept and Release are also what the buttons of an
// assignment card do.
const (
	Pool     Verb = "pool"
	Claim    Verb = "claim"
	Mine     Verb = "mine"
	Progress Verb = "progress"
	Done     Verb = "done"
	Transfer Verb = "transfer"
	Dispute  Verb = "dispute"
	Show     Verb = "show"
	Help     Verb = "help"
	Accept   Verb = "accept"
	Release  Verb = "release"
	// Target sets the date a lead should close by; Milestone marks one of
	// the milestones planned from it done.
	Target    Verb = "target"
	Milestone Verb = "milestone"
	// Extend and Reassign are a supervisor's answers to an overdue
	// alert; Release by someone other than the owner returns the lead to
	// the pool.
	Extend   Verb = "extend"
	Reassign Verb = "reassign"
	// Quota shows the sender's targets of the current periods and their
	// progress (not a lead's target close date, which Target sets).
	Quota Verb = "quota"
	// Dashboard asks for a link to the web dashboard of leads and
	// managers.
	Dashboard Verb = "dashboard"
	// SetQuota sets a team's or a rep's target, which Quota then shows.
	SetQuota Verb = "set_quota"
)

// NeedsLead reports whether the verb acts on one lead, which a command
// with that verb then names.
func (v Verb) NeedsLead() bool {
	switch v {
	case Pool, Mine, Help, Quota, Dashboard, SetQuota, "":
		return false
	}
	return true
}

// UsageKey returns the catalogue key of the verb's usage example.
func (v Verb) UsageKey() string { return "usage." + string(v) }

// Command is a parsed command. Fields a verb does not take are zero.
type Command struct {
	Verb Verb
	// Lead is the lead acted on, for every verb that NeedsLead.
	Lead engine.LeadID
	// Percent is the progress recorded by Progress, from 0 to 100.
	Percent int
	// Outcome is how Done closes the lead.
	Outcome engine.Outcome
	// Amount is the deal size in yuan that Done may give, nil if none.
	Amount *float64
	// Target is whom Transfer or Reassign hands the lead to: the next
	// word, full-width forms folded, without "@". Reassign may leave it
	// "", for the router to choose.
	Target string
	// Extension is how far Extend moves the deadline; nil for the
	// configured default.
	Extension *engine.Extension
	// Kind is what Dispute is about: DisputeOwnership unless the user
	// named another kind.
	Kind engine.DisputeKind
	// Note is the free text: the note of Progress and Transfer, the
	// remark of Done, the reason of Dispute and Release. It is the text
	// as the user typed it, trimmed.
	Note string
	// Lang is the language the verb was typed in, for the reply to
	// follow; ZH when the verb belongs to neither, as "?" does.
	Lang i18n.Lang
	// Date is the target close date Target sets, as midnight UTC.
	Date time.Time
	// Kind of milestone Milestone marks done.
	Milestone engine.MilestoneKind
	// Goal is the target SetQuota sets.
	Goal *Goal
}

// Code says what was wrong with a command that did not parse.
type Code string

// The codes.
const (
	// CodeEmpty means there was nothing but a mention or white space.
	CodeEmpty Code = "empty"
	// CodeUnknownCommand means the text does not start with a verb.
	CodeUnknownCommand Code = "unknown_command"
	// CodeMissingLead means the verb needs a lead id and none followed.
	CodeMissingLead Code = "missing_lead"
	// CodeBadLead means what stood where the lead id goes is not one.
	CodeBadLead Code = "bad_lead"
	// CodeMissingPercent means Progress was given no percentage.
	CodeMissingPercent Code = "missing_percent"
	// CodeBadPercent means the percentage is not a whole number in 0..100.
	CodeBadPercent Code = "bad_percent"
	// CodeMissingOutcome means Done was not told won or lost.
	CodeMissingOutcome Code = "missing_outcome"
	// CodeBadOutcome means the word where the outcome goes is not one.
	CodeBadOutcome Code = "bad_outcome"
	// CodeBadAmount means the deal amount given to Done is not a number.
	CodeBadAmount Code = "bad_amount"
	// CodeMissingTarget means Transfer was not told to whom.
	CodeMissingTarget Code = "missing_target"
	// CodeMissingReason means Dispute was given no reason.
	CodeMissingReason Code = "missing_reason"
	// CodeMissingDate means Target was given no date.
	CodeMissingDate Code = "missing_date"
	// CodeBadDate means the word where Target's date goes is not a date.
	CodeBadDate Code = "bad_date"
	// CodeMissingMilestone means Milestone was not told which one.
	CodeMissingMilestone Code = "missing_milestone"
	// CodeBadMilestone means the word where the milestone goes is not one.
	CodeBadMilestone Code = "bad_milestone"
	// CodeBadExtension means the length Extend was given is not working
	// days or business hours ("2d", "4h", "2天", "4小时").
	CodeBadExtension Code = "bad_extension"
	// CodeMissingGoal means SetQuota was not given whom, the period, the
	// metric and the amount.
	CodeMissingGoal Code = "missing_goal"
	// CodeBadPeriod means the word where SetQuota's period goes is not
	// one.
	CodeBadPeriod Code = "bad_period"
	// CodeBadMetric means the word where SetQuota's metric goes is not
	// one.
	CodeBadMetric Code = "bad_metric"
	// CodeBadGoalAmount means SetQuota's amount is not a whole number
	// from 0 up.
	CodeBadGoalAmount Code = "bad_goal_amount"
	// CodeBadSplit means what follows SetQuota's amount is not a split,
	// or a rep target was given one.
	CodeBadSplit Code = "bad_split"
)

// Key returns the catalogue key of the answer to the code. Its template
// may use {arg}, the Error's Arg, and {usage}, the text under the
// Verb's UsageKey.
func (c Code) Key() string { return "parse." + string(c) }

// Error is why a text is not a command.
type Error struct {
	Code Code
	// Verb is the command the user meant, "" if it is not known.
	Verb Verb
	// Lang is the language to answer in: the verb's, or a guess from
	// the text when there is no verb.
	Lang i18n.Lang
	// Arg is the word at fault with full-width forms folded, "" when
	// something is missing.
	Arg string
}

// Error describes the failure for logs, such as
// `parse command claim: bad lead "abc"`; people get the catalogue's text.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("parse command")
	if e.Verb != "" {
		b.WriteString(" " + string(e.Verb))
	}
	b.WriteString(": " + strings.ReplaceAll(string(e.Code), "_", " "))
	if e.Arg != "" {
		fmt.Fprintf(&b, " %q", e.Arg)
	}
	return b.String()
}

// Parse reads text as a command. The error, if any, is an *Error.
func Parse(text string) (Command, error) {
	p := newParser(text)
	if err := p.parse(); err != nil {
		return Command{}, err
	}
	return p.cmd, nil
}

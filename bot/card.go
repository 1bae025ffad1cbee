package bot

import (
	"strings"

	"github.com/leadbot/leadbot/engine"
)

// Card is a message with fields and buttons, described once and drawn
// by each platform in its own form.
type Card struct {
	// Key identifies the card for updates: one card per lead and viewer.
	Key    string        `json:"key"`
	LeadID engine.LeadID `json:"-"`
	Lead   string        `json:"lead"`
	Title  string        `json:"title"`
	Fields []Field       `json:"fields"`
	// Note is a line under the fields, such as why the lead came here.
	Note    string   `json:"note,omitempty"`
	Buttons []Button `json:"buttons"`
	// Closed is set when the card no longer asks for action; State then
	// says why (claimed by someone else, done).
	Closed bool   `json:"closed"`
	State  string `json:"state,omitempty"`
}

// Field is one labelled line of a card.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Button is an action on a card. Action is what a click sends back:
// a verb and a lead, such as "claim:L12" (see ParseAction).
type Button struct {
	Label   string `json:"label"`
	Action  string `json:"action"`
	Primary bool   `json:"primary,omitempty"`
	// Input asks the clicker for a value before sending, such as a
	// progress percentage; its text is the prompt.
	Input string `json:"input,omitempty"`
}

// Message is what a channel delivers: a text, a card, or both.
type Message struct {
	Text string `json:"text,omitempty"`
	Card *Card  `json:"card,omitempty"`
	// Digest marks a message that already gathers many notices: a
	// channel sends it whole and never folds it into a digest of its own.
	Digest bool `json:"digest,omitempty"`
	// Notice is the key of the outbox notice the message delivers, the
	// same on every retry of it: a platform that deduplicates requests
	// builds its message ids from it. Empty outside the outbox.
	Notice string `json:"-"`
}

// Action verbs that buttons carry.
const (
	ActClaim    = "claim"
	ActAccept   = "accept"
	ActRelease  = "release"
	ActProgress = "progress"
	ActWon      = "won"
	ActLost     = "lost"
	ActDispute  = "dispute"
	ActApprove  = "approve"
	ActReject   = "reject"
	// Dispute decisions carry the dispute id: "dapprove:L12:D3".
	ActDisputeApprove = "dapprove"
	ActDisputeReject  = "dreject"
	ActDisputeSplit   = "dsplit"
	// A supervisor's answers to an overdue alert: extend the deadline by
	// the default, reassign to the router's choice, return to the pool.
	ActExtend   = "extend"
	ActReassign = "reassign"
	ActReturn   = "return"
)

// action builds a button's action string.
func action(verb string, id engine.LeadID) string { return verb + ":" + id.String() }

// ParseAction splits a button's action into its verb, lead and the value
// the clicker typed, if any ("progress:L12:40").
func ParseAction(s string) (verb string, id engine.LeadID, arg string, err error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) < 2 {
		return "", 0, "", &engine.Error{Kind: engine.Invalid, Code: "bad_action", Msg: "malformed action " + s}
	}
	id, err = engine.ParseLeadID(parts[1])
	if err != nil {
		return "", 0, "", err
	}
	if len(parts) == 3 {
		arg = parts[2]
	}
	return parts[0], id, arg, nil
}

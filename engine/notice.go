package engine

import (
	"fmt"
	"time"
)

// NoticeKind is what a notice tells its recipient.
type NoticeKind string

// The kinds of notice.
const (
	// NoticeAssigned tells a rep that a lead is now theirs.
	NoticeAssigned NoticeKind = "assigned"
	// NoticePool tells a rep that a lead they may claim is in the pool.
	NoticePool NoticeKind = "pool"
	// NoticeLeadChanged asks every card shown for a lead to show its new
	// state (claimed, closed, back in the pool).
	NoticeLeadChanged NoticeKind = "lead_changed"
	// NoticeText is a plain message; Text holds a catalogue key.
	NoticeText NoticeKind = "text"
	// NoticeDispute asks a manager to decide a dispute; Text holds the
	// dispute's id.
	NoticeDispute NoticeKind = "dispute"
	// NoticeTransfer asks a team lead to approve a hand-over; Text holds
	// the transfer request's id.
	NoticeTransfer NoticeKind = "transfer"
	// NoticeReminder tells the owner a deadline is near.
	NoticeReminder NoticeKind = "reminder"
	// NoticeAlert tells someone a deadline has passed; Text holds the
	// tier: 1 the owner, 2 the team lead, 3 the manager.
	NoticeAlert NoticeKind = "alert"
	// NoticeTeam tells a team's group chat, where the platform has one,
	// that a lead its members may claim is in the pool; Text holds the
	// team. It is read-only: members claim in their own chat.
	NoticeTeam NoticeKind = "team_pool"
	// NoticeCollaborator tells a rep they now work on a lead beside its
	// owner; Text holds the CollaboratorRole, Args the rule and reason.
	NoticeCollaborator NoticeKind = "collaborator"
	// NoticeCheckpoint is a rep's progress digest at a checkpoint; Args
	// carry a RepDigest (see RepDigestOf).
	NoticeCheckpoint NoticeKind = "checkpoint"
	// NoticeTeamCheckpoint is a team's progress digest at a checkpoint,
	// to a team lead or manager, or with To empty to the team's group
	// chat; Text holds the team, Args a TeamDigest (see TeamDigestOf).
	NoticeTeamCheckpoint NoticeKind = "team_checkpoint"
	// NoticeAlertDigest lists the reminders and alerts one deadline scan
	// found for one person when they were too many for a card each;
	// Args carry them (see AlertItemsOf).
	NoticeAlertDigest NoticeKind = "alert_digest"
	// NoticeCadence nudges the owner of a held lead that has fallen
	// behind its follow-up cadence; Args hold per_week, the touches a
	// week it needs, and last, the latest touch (RFC 3339).
	NoticeCadence NoticeKind = "cadence"
	// NoticeSilence tells the owner and the team lead that a held lead
	// has gone long without a touch; Args hold days and last.
	NoticeSilence NoticeKind = "silence"
	// NoticeMilestone chases a milestone of a lead: Text holds its kind,
	// Args stage ("remind" before it is due, "overdue" after) and due
	// (RFC 3339).
	NoticeMilestone NoticeKind = "milestone"
)

// Notice is a message the engine decides to send, written in the same
// transaction as the decision that causes it. It names what to say and
// to whom; the chat layer renders it for each platform and delivers it
// from the outbox, so a crash can delay a notice but not lose it.
type Notice struct {
	// Key is unique per notice, so that a notice written twice is
	// stored once.
	Key    string
	Kind   NoticeKind
	LeadID LeadID
	// To is the person to tell; "" for NoticeLeadChanged, which goes to
	// wherever the lead's cards are.
	To RepID
	// Text is a message catalogue key for NoticeText, with Args.
	Text string
	Args map[string]string
	At   time.Time
	// NotBefore defers delivery, such as out of the recipient's quiet
	// hours; zero sends at once.
	NotBefore time.Time
}

// noticeKey builds a notice key from its parts and the time of the
// decision, to the millisecond that the stores keep.
func noticeKey(kind NoticeKind, lead LeadID, to RepID, at time.Time) string {
	return fmt.Sprintf("%s:%s:%s:%d", kind, lead, to, at.UnixMilli())
}

func assignedNotice(l Lead, at time.Time) Notice {
	return Notice{Key: noticeKey(NoticeAssigned, l.ID, l.Assignee, at), Kind: NoticeAssigned,
		LeadID: l.ID, To: l.Assignee, At: at}
}

func changedNotice(id LeadID, at time.Time) Notice {
	return Notice{
		Key:    noticeKey(NoticeLeadChanged, id, "", at),
		Kind:   NoticeLeadChanged,
		LeadID: id,
		At:     at,
	}
}

// poolNoticesTo tells each of reps that the lead is in the pool, and the
// group chat of each of their teams.
func poolNoticesTo(l Lead, reps []Rep, at time.Time) []Notice {
	var out []Notice
	teams := map[string]bool{}
	for _, r := range reps {
		out = append(out, Notice{
			Key:    noticeKey(NoticePool, l.ID, r.ID, at),
			Kind:   NoticePool,
			LeadID: l.ID,
			To:     r.ID,
			At:     at,
		})
		if r.Team != "" && !teams[r.Team] {
			teams[r.Team] = true
			out = append(out, Notice{
				Key:    noticeKey(NoticeTeam, l.ID, RepID("team:"+r.Team), at),
				Kind:   NoticeTeam,
				LeadID: l.ID,
				Text:   r.Team,
				At:     at,
			})
		}
	}
	return out
}

// MayClaim reports whether a rep may claim a pooled lead under the
// default visibility: an active rep who takes leads and, when both sides
// name regions, covers the lead's. Service.MayClaim applies the
// configured rules.
func MayClaim(r Rep, l Lead) bool {
	return Routable(r) && covers(&r, l.Region)
}

// OutboxItem is a notice waiting in the outbox, as its sender sees it.
type OutboxItem struct {
	ID       int64
	Attempts int
	Notice
}

// Delivery records that a notice reached a person on one platform; Ref
// is the platform's handle of the message, for updating a card later.
type Delivery struct {
	ID       int64
	OutboxID int64
	Platform string
	RepID    RepID
	LeadID   LeadID
	Ref      string
	At       time.Time
	// Notice is what was delivered.
	Notice Notice
}

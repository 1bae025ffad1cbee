package wecom

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
)

// Folding bursts into digests.
//
// WeCom drops what goes beyond 30 messages a minute or 1,000 an hour to
// one member, so a burst of 200 alerts to one rep cannot go out one by
// one. Holding the surplus in the channel and reporting success would be
// quicker, but the outbox marks a notice delivered when Send returns nil:
// anything held in memory would be lost on a restart. So the channel
// never claims what WeCom has not accepted:
//
//  1. A message over the recipient's budget is refused with
//     ErrRateLimited, which the outbox retries with backoff, and the
//     channel remembers it as pending for that recipient.
//  2. When budget frees and the recipient has more pending messages
//     than budget, the next Send puts its own message and as many pending
//     ones as fit in one text into a digest ("你有 N 条新提醒：…"), one
//     message against the budget, and returns its msgid.
//  3. When the outbox retries a message that a digest carried, Send
//     returns that digest's msgid without sending again, once: a later
//     message that happens to look the same is sent.
//  4. A message marked bot.Message.Digest, which the engine folded from
//     many already (missed alerts, checkpoint digests), is never held nor
//     carried: as one line of another digest it would lose its list. It
//     waits for budget through the outbox's backoff and goes out whole.
//  5. The channel tells the outbox which notices a digest carried
//     (Folded), and the outbox records them delivered, so that a retry
//     after a restart, or by another replica, sends none of them again.
//
// A restart forgets only what is pending and which messages digests
// carried, which the outbox has recorded, so nothing is lost; a crash
// between a digest's send and that record sends its messages again. A
// digest is text, so the cards it carries lose their buttons; each line
// names the lead, for the typed command.
//
// TODO: the memory is per replica, like the pacer's: with several
// replicas each keeps its own budget and pending messages, so a recipient
// may get more than WeCom passes on, and a digest may carry a message
// another replica is sending at the same time. A shared (storage-backed)
// budget fixes both.

// foldLife is how long a pending or folded message is remembered: longer
// than the outbox keeps retrying one (12 attempts, about 95 minutes).
const foldLife = 3 * time.Hour

// maxDigestLine is how many characters of a message a digest shows.
const maxDigestLine = 60

// folder remembers, per recipient, the messages refused for budget and
// the ones digests carried.
type folder struct {
	mu      sync.Mutex
	pending map[string][]held            // user to refused messages, oldest first
	carried map[string]map[string]folded // user to message key to digest
	notices map[string]noticesAt         // digest to the notices it carried
}

type held struct {
	key    string
	notice string // the outbox notice, if the message came from one
	line   string
	at     time.Time
}

type noticesAt struct {
	keys []string
	at   time.Time
}

type folded struct {
	ref string
	at  time.Time
}

func newFolder() *folder {
	return &folder{pending: map[string][]held{}, carried: map[string]map[string]folded{},
		notices: map[string]noticesAt{}}
}

// foldKey identifies a message across the outbox's retries, which render
// it again: a card by its key and title (one per lead, viewer and kind of
// notice), a text by its content.
func foldKey(m bot.Message) string {
	s := "text\x00" + m.Text
	if m.Card != nil {
		s = "card\x00" + m.Card.Key + "\x00" + m.Card.Title
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

// digestLine is a message as one line of a digest: a card's title, with
// its lead when the title does not name it, or a text's first line.
func digestLine(m bot.Message) string {
	s := m.Text
	if c := m.Card; c != nil && c.Title != "" {
		s = c.Title
		if c.Lead != "" && !strings.Contains(s, c.Lead) {
			s = c.Lead + " " + s
		}
	}
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return "• " + cut(s, maxDigestLine)
}

// expire forgets what is older than foldLife for user. f.mu must be held.
func (f *folder) expire(user string, now time.Time) {
	ps := f.pending[user]
	for len(ps) > 0 && now.Sub(ps[0].at) >= foldLife {
		ps = ps[1:]
	}
	if len(ps) == 0 {
		delete(f.pending, user)
	} else {
		f.pending[user] = ps
	}
	for k, c := range f.carried[user] {
		if now.Sub(c.at) >= foldLife {
			delete(f.carried[user], k)
		}
	}
	if len(f.carried[user]) == 0 {
		delete(f.carried, user)
	}
}

// takeCarried returns the msgid of the digest that carried the message,
// and forgets it, so that only the retry of that message is answered so.
func (f *folder) takeCarried(user, key string, now time.Time) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expire(user, now)
	c, ok := f.carried[user][key]
	delete(f.carried[user], key)
	return c.ref, ok
}

// hold remembers a message refused for budget, once.
func (f *folder) hold(user, key string, m bot.Message, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pending[user] {
		if p.key == key {
			return
		}
	}
	f.pending[user] = append(f.pending[user],
		held{key: key, notice: m.Notice, line: digestLine(m), at: now})
}

// backlog is how many messages other than key wait for user.
func (f *folder) backlog(user, key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.pending[user] {
		if p.key != key {
			n++
		}
	}
	return n
}

// digest is a text of m and as many pending messages other than m (key)
// as fit, oldest first, and the keys and outbox notices of those pending
// ones.
func (f *folder) digest(
	user, key string,
	m bot.Message,
	lang i18n.Lang,
) (text string, keys, notices []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	lines := []string{digestLine(m)}
	size := len(lines[0]) + len(digestHead(lang, 999)) + 1
	for _, p := range f.pending[user] {
		if p.key == key {
			continue
		}
		if size+len(p.line)+1 > maxTextBytes {
			break
		}
		keys, lines = append(keys, p.key), append(lines, p.line)
		if p.notice != "" {
			notices = append(notices, p.notice)
		}
		size += len(p.line) + 1
	}
	return digestHead(lang, len(lines)) + "\n" + strings.Join(lines, "\n"), keys, notices
}

// digestHead is the first line of a digest of n messages.
func digestHead(lang i18n.Lang, n int) string {
	if lang == i18n.EN {
		return fmt.Sprintf("You have %d new notices:", n)
	}
	return fmt.Sprintf("你有 %d 条新提醒：", n)
}

// carry records that the digest ref carried the pending messages keys,
// from the outbox notices, besides the one being sent (key), and
// forgets them all as pending.
func (f *folder) carry(user, key string, keys, notices []string, ref string, now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for d, n := range f.notices {
		if now.Sub(n.at) >= foldLife {
			delete(f.notices, d)
		}
	}
	if len(notices) > 0 {
		f.notices[ref] = noticesAt{keys: notices, at: now}
	}
	done := map[string]bool{key: true}
	if f.carried[user] == nil {
		f.carried[user] = map[string]folded{}
	}
	for _, k := range keys {
		done[k] = true
		f.carried[user][k] = folded{ref: ref, at: now}
	}
	f.drop(user, done)
}

// sent forgets a message as pending once it went out by itself.
func (f *folder) sent(user, key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop(user, map[string]bool{key: true})
}

// drop removes keys from user's pending messages. f.mu must be held.
func (f *folder) drop(user string, keys map[string]bool) {
	ps := f.pending[user][:0]
	for _, p := range f.pending[user] {
		if !keys[p.key] {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		delete(f.pending, user)
	} else {
		f.pending[user] = ps
	}
}

// folded returns the outbox notices the digest ref carried, once.
func (f *folder) folded(ref string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.notices[ref]
	delete(f.notices, ref)
	return n.keys
}

package wecom

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// WeCom silently drops an app's messages to one member beyond 30 a minute
// or 1000 an hour (developer.work.weixin.qq.com/document/path/90236), so
// the channel counts them itself and refuses rather than lose one.
const (
	perMinute = 30
	perHour   = 1000
)

// ErrRateLimited is returned by Send when the recipient has had all the
// messages WeCom lets through for now. It is not permanent: the outbox
// retries later.
var ErrRateLimited = errors.New("wecom rate limit for recipient reached")

// pacer remembers when each recipient was last sent to, within the hour,
// and lets through at most perMinute and perHour of them.
type pacer struct {
	perMinute, perHour int

	mu   sync.Mutex
	sent map[string][]time.Time
}

func newPacer(perMinute, perHour int) *pacer {
	return &pacer{perMinute: perMinute, perHour: perHour, sent: map[string][]time.Time{}}
}

// recent returns user's sends within the hour before now, dropping older
// ones. p.mu must be held.
func (p *pacer) recent(user string, now time.Time) []time.Time {
	ts := p.sent[user]
	for len(ts) > 0 && now.Sub(ts[0]) >= time.Hour {
		ts = ts[1:]
	}
	if len(ts) == 0 {
		delete(p.sent, user)
	} else {
		p.sent[user] = ts
	}
	return ts
}

// take books a message to user at now, or says how long until one fits.
func (p *pacer) take(user string, now time.Time) (wait time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts := p.recent(user, now)
	if len(ts) >= p.perHour {
		return ts[len(ts)-p.perHour].Add(time.Hour).Sub(now), false
	}
	if len(ts) >= p.perMinute {
		if first := ts[len(ts)-p.perMinute]; now.Sub(first) < time.Minute {
			return first.Add(time.Minute).Sub(now), false
		}
	}
	p.sent[user] = append(ts, now)
	return 0, true
}

// room is how many more messages user may have at now.
func (p *pacer) room(user string, now time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ts := p.recent(user, now)
	inMinute := 0
	for _, t := range ts {
		if now.Sub(t) < time.Minute {
			inMinute++
		}
	}
	return max(0, min(p.perMinute-inMinute, p.perHour-len(ts)))
}

// reserve books a message or returns ErrRateLimited saying when to try.
func (p *pacer) reserve(user string, now time.Time) error {
	if wait, ok := p.take(user, now); !ok {
		return fmt.Errorf("%w: retry in %s", ErrRateLimited, wait.Round(time.Second))
	}
	return nil
}

// Codes keeps, per card, the one response_code WeCom allows for its next
// update (72 hours, single use). Each send and each click brings a new
// one. Implementations must be safe for concurrent use.
type Codes interface {
	// Put remembers code as the way to update the card taskID, replacing
	// an older one.
	Put(ctx context.Context, taskID, code string, at time.Time) error
	// Take returns the card's code and forgets it, so that only one
	// caller ever uses it; ok is false when there is none.
	Take(ctx context.Context, taskID string) (code string, at time.Time, ok bool, err error)
}

// memoryCodes is Codes in memory, for tests and a single replica: a
// restart loses them, and cards sent before it are redrawn only at their
// next click. Production keeps them in the database (storage.CardCodes).
type memoryCodes struct {
	mu sync.Mutex
	m  map[string]codeAt
}

type codeAt struct {
	code string
	at   time.Time
}

// NewMemoryCodes returns Codes kept in memory, for one replica.
func NewMemoryCodes() Codes { return &memoryCodes{m: map[string]codeAt{}} }

func (c *memoryCodes) Put(_ context.Context, taskID, code string, at time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.m {
		if at.Sub(v.at) > CodeLife {
			delete(c.m, k)
		}
	}
	c.m[taskID] = codeAt{code, at}
	return nil
}

func (c *memoryCodes) Take(_ context.Context, taskID string) (string, time.Time, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[taskID]
	delete(c.m, taskID)
	return v.code, v.at, ok, nil
}

// CodeLife is how long a response_code can be used.
const CodeLife = 72 * time.Hour

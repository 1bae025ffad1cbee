package wecom

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// How WeCom's errcodes are handled (global code list,
// developer.work.weixin.qq.com/document/path/90313). Every code ends up
// in one of four places, so that none is dropped silently:
//
//   - 0 is success;
//   - 40014 and 42001 (token invalid or expired) make the client fetch a
//     new token and retry once; a second one is retryable;
//   - permanentCodes are about the one request, such as an unknown
//     userid: the notice fails for good, wrapping bot.ErrPermanent;
//   - configCodes are about our settings: the notice fails for good
//     too, and an Error line names the setting, since every other send
//     fails the same way until an operator fixes it;
//   - anything else, such as transientCodes, is a plain error, so the
//     outbox retries with its backoff.

// permanentCodes are errcodes about the request itself, such as a userid
// WeCom does not know.
var permanentCodes = map[int]bool{
	40003: true, // invalid userid
	40008: true, // invalid msgtype
	40058: true, // invalid parameter
	44004: true, // empty text
	60011: true, // the app may not see this user
	81013: true, // no valid recipient at all
	86220: true, // template card malformed
}

// configCodes are errcodes that a setting causes, with what to fix.
var configCodes = map[int]string{
	40001: "LEADBOT_WECOM_SECRET (invalid secret)",
	40013: "LEADBOT_WECOM_CORP_ID (invalid corpid)",
	40056: "LEADBOT_WECOM_AGENT_ID (invalid agentid)",
	48002: "the app's API permissions and visibility in the WeCom admin console",
	60020: "the app's trusted IPs (企业可信IP) in the WeCom admin console",
	93000: "the group robot's webhook key in GroupWebhooks",
}

// transientCodes go away by themselves: the outbox's backoff is the
// retry. They are listed for the reader; any code not named above is
// treated the same.
var transientCodes = map[int]bool{
	-1:    true, // system busy
	45009: true, // API call frequency exceeded
	45033: true, // too many concurrent calls
}

// alarmEvery is how often one config errcode is logged at Error level:
// once is enough for an operator, every notice would bury the log.
const alarmEvery = 10 * time.Minute

// alarm logs config errcodes for an operator, at most once per code per
// alarmEvery.
type alarm struct {
	clock engine.Clock
	log   *slog.Logger

	mu   sync.Mutex
	last map[int]time.Time
}

func newAlarm(clock engine.Clock, log *slog.Logger) *alarm {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &alarm{clock: clock, log: log, last: map[int]time.Time{}}
}

// check logs err when it names a setting to fix, and returns it. The
// caller still returns err: this line is for the operator, the notice's
// own failure is logged by whoever gives it up.
func (a *alarm) check(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	setting, ok := configCodes[ae.Code]
	if !ok {
		return err
	}

	now := a.clock.Now()
	a.mu.Lock()
	due := a.last[ae.Code].IsZero() || now.Sub(a.last[ae.Code]) >= alarmEvery
	if due {
		a.last[ae.Code] = now
	}
	a.mu.Unlock()
	if due {
		a.log.Error("wecom rejects a setting",
			slog.String("platform", Platform),
			slog.String("op", ae.Op),
			slog.Int("errcode", ae.Code),
			slog.String("fix", setting))
	}
	return err
}

package wecom

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Options are what a Channel needs besides its Config.
type Options struct {
	// HTTP is the client for API calls; nil for one with a 10 s timeout.
	HTTP *http.Client
	// Codes keeps response codes for card updates; nil for memory.
	Codes Codes
	// GroupWebhooks maps a team to its group robot's webhook key (or the
	// webhook URL holding it), for NotifyTeam. The keys are secrets.
	GroupWebhooks map[string]string
	Clock         engine.Clock
	Log           *slog.Logger
}

// Channel sends app messages to reps who have a wecom_userid: cards as
// button_interaction template cards, anything else as text.
type Channel struct {
	cfg   Config
	api   *client
	codes Codes
	pace  *pacer
	fold  *folder
	clock engine.Clock

	groups map[string]string // team to webhook key
	robots *pacer            // per webhook key
	log    *slog.Logger
}

var _ bot.FoldingChannel = (*Channel)(nil)

// NewChannel returns the channel for a validated Config.
func NewChannel(cfg Config, o Options) *Channel {
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Codes == nil {
		o.Codes = NewMemoryCodes()
	}
	return &Channel{cfg: cfg, api: newClient(cfg, o.HTTP, o.Clock, o.Log), codes: o.Codes,
		pace: newPacer(perMinute, perHour), fold: newFolder(), clock: o.Clock, log: o.Log,
		groups: o.GroupWebhooks, robots: newPacer(robotPerMinute, robotWindow)}
}

// Name is "wecom".
func (ch *Channel) Name() string { return Platform }

// Reaches reports whether the rep has a wecom_userid.
func (ch *Channel) Reaches(r engine.Rep) bool { return r.WeComUserID != "" }

// sendRequest is message/send's body. agentid is a number, as the API
// reference has it.
type sendRequest struct {
	ToUser       string        `json:"touser"`
	MsgType      string        `json:"msgtype"`
	AgentID      int           `json:"agentid"`
	Text         *textBody     `json:"text,omitempty"`
	TemplateCard *templateCard `json:"template_card,omitempty"`
	// With the duplicate check on, WeCom drops a request identical to
	// one it took within the interval, in seconds: a retry after an
	// answer that never arrived reaches nobody twice.
	DuplicateCheck         int `json:"enable_duplicate_check,omitempty"`
	DuplicateCheckInterval int `json:"duplicate_check_interval,omitempty"`
}

type textBody struct {
	Content string `json:"content"`
}

type sendResult struct {
	errResult
	InvalidUser  string `json:"invaliduser"`
	MsgID        string `json:"msgid"`
	ResponseCode string `json:"response_code"`
}

// Send delivers m to the rep and returns the card's task_id, or the
// msgid of a text or of the digest that carried m. It fails with
// ErrRateLimited when the rep has had as many messages as WeCom passes
// on for now, and with an error wrapping bot.ErrPermanent when WeCom does
// not know the rep or rejects our settings. A burst beyond the budget is
// folded into digests: see digest.go.
func (ch *Channel) Send(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	if to.WeComUserID == "" {
		return "", fmt.Errorf("send to rep %s: no wecom_userid: %w", to.ID, bot.ErrPermanent)
	}
	user, now, key := to.WeComUserID, ch.clock.Now(), foldKey(m)
	if ref, ok := ch.fold.takeCarried(user, key, now); ok {
		ch.log.Debug("message went in a digest", slog.String("platform", Platform),
			slog.String("rep_id", string(to.ID)))
		return ref, nil
	}

	// A digest the engine made is never held for folding: one line of
	// another digest would lose its list. It waits for budget by itself.
	if err := ch.pace.reserve(user, now); err != nil {
		if !m.Digest {
			ch.fold.hold(user, key, m, now)
		}
		return "", err
	}
	if !m.Digest && ch.fold.backlog(user, key) > ch.pace.room(user, now) {
		return ch.sendDigest(ctx, to, key, m, now)
	}

	ref, err := ch.sendOne(ctx, to, m)
	if err != nil {
		return "", err
	}
	ch.fold.sent(user, key)
	return ref, nil
}

// Folded returns the keys of the outbox notices that the digest ref
// carried besides the message it was sent for, and forgets them.
func (ch *Channel) Folded(ref string) []string { return ch.fold.folded(ref) }

// sendDigest sends m and as many of the rep's pending messages as fit as
// one text, and returns its msgid.
func (ch *Channel) sendDigest(
	ctx context.Context,
	to engine.Rep,
	key string,
	m bot.Message,
	now time.Time,
) (string, error) {
	lang := i18n.Parse(to.Language)
	text, keys, notices := ch.fold.digest(to.WeComUserID, key, m, lang)
	ref, err := ch.sendOne(ctx, to, bot.Message{Text: text})
	if err != nil {
		return "", err
	}
	ch.fold.carry(to.WeComUserID, key, keys, notices, ref, now)
	ch.log.Info("digest sent", slog.String("platform", Platform),
		slog.String("rep_id", string(to.ID)), slog.Int("count", len(keys)+1))
	return ref, nil
}

// sendOne sends m as a card, or as a text when it has nothing to click.
func (ch *Channel) sendOne(ctx context.Context, to engine.Rep, m bot.Message) (string, error) {
	req := sendRequest{ToUser: to.WeComUserID, AgentID: ch.cfg.AgentID}
	if d := ch.cfg.DuplicateCheck; d > 0 {
		req.DuplicateCheck, req.DuplicateCheckInterval = 1, int(d/time.Second)
	}
	var task string
	if m.Card != nil && len(m.Card.Buttons) > 0 {
		task = taskID(m.Card.Key, ch.suffix(m.Notice))
		tc := drawCard(m, task)
		req.MsgType, req.TemplateCard = "template_card", &tc
	} else {
		req.MsgType, req.Text = "text", &textBody{Content: cardText(m)}
	}

	var res sendResult
	if err := ch.api.post(ctx, "message/send", "/cgi-bin/message/send", req, &res); err != nil {
		return "", fmt.Errorf("send to rep %s: %w", to.ID, err)
	}
	if res.InvalidUser != "" {
		return "", fmt.Errorf("send to rep %s: wecom does not know the userid: %w",
			to.ID, bot.ErrPermanent)
	}
	if task == "" {
		return res.MsgID, nil
	}
	if res.ResponseCode != "" {
		if err := ch.codes.Put(ctx, task, res.ResponseCode, ch.clock.Now()); err != nil {
			ch.log.Warn("card code not kept",
				slog.String("platform", Platform), slog.Any("err", err))
		}
	}
	return task, nil
}

// suffix makes a task id unique. A message from the outbox gets one
// from its notice, so that every retry sends the same request and
// WeCom's duplicate check recognises it; any other gets a clock reading
// and random bytes, so that replicas never collide.
func (ch *Channel) suffix(notice string) string {
	if notice != "" {
		sum := sha256.Sum256([]byte(notice))
		return hex.EncodeToString(sum[:8])
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.FormatInt(ch.clock.Now().UnixMilli(), 36) + hex.EncodeToString(b[:])
}

// updateRequest is update_template_card's body: recipients are arrays
// here, unlike message/send.
type updateRequest struct {
	UserIDs      []string      `json:"userids"`
	AgentID      int           `json:"agentid"`
	ResponseCode string        `json:"response_code"`
	Button       *replaceName  `json:"button,omitempty"`
	TemplateCard *templateCard `json:"template_card,omitempty"`
}

type replaceName struct {
	ReplaceName string `json:"replace_name"`
}

// codeSpent is the errcode for a response_code used or expired already.
const codeSpent = 60140

// Update redraws the card delivered as d. WeCom lets a card be updated
// only with a response_code, each good for one update within 72 hours:
// one comes with the send and one with every click. When none is left
// the card stays as it is and Update returns nil, since no retry would
// help; a later click on it still gets the answer from the lead as it
// stands.
func (ch *Channel) Update(
	ctx context.Context,
	d engine.Delivery,
	to engine.Rep,
	m bot.Message,
) error {
	return ch.update(ctx, d.Ref, to, m)
}

func (ch *Channel) update(ctx context.Context, task string, to engine.Rep, m bot.Message) error {
	if m.Card == nil || to.WeComUserID == "" {
		return nil
	}
	code, at, ok, err := ch.codes.Take(ctx, task)
	if err != nil {
		return fmt.Errorf("update card %s: %w", task, err)
	}
	if !ok || ch.clock.Now().Sub(at) >= CodeLife {
		ch.log.Debug("card not redrawn", slog.String("platform", Platform),
			slog.String("rep_id", string(to.ID)), slog.String("reason", "no response code"))
		return nil
	}

	req := updateRequest{
		UserIDs:      []string{to.WeComUserID},
		AgentID:      ch.cfg.AgentID,
		ResponseCode: code,
	}
	if len(m.Card.Buttons) > 0 {
		tc := drawCard(bot.Message{Card: m.Card}, task)
		req.TemplateCard = &tc
	} else {
		// A card with nothing left to click: grey its buttons out with
		// the reason, since a button_interaction card needs buttons.
		name := cut(firstNonEmpty(m.Card.State, m.Card.Title), maxReplaceName)
		req.Button = &replaceName{ReplaceName: name}
	}

	var res errResult
	const path = "/cgi-bin/message/update_template_card"
	err = ch.api.post(ctx, "update_template_card", path, req, &res)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == codeSpent {
		// Used or expired already: another update won, nothing to redo.
		return nil
	}
	if err != nil {
		return fmt.Errorf("update card %s for rep %s: %w", task, to.ID, err)
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

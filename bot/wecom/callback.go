package wecom

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Inbox records deliveries from a platform so that a redelivery has one
// effect. Storage implements it with a unique key on (platform, id).
type Inbox interface {
	// Seen records the delivery id and reports whether this is the first
	// time it was seen. An error means nothing was recorded.
	Seen(ctx context.Context, platform, id string) (first bool, err error)
}

// Reps finds the rep behind a WeCom user.
type Reps interface {
	// RepByWeCom returns the rep whose wecom_userid is userID, or an
	// error of kind engine.NotFound when there is none.
	RepByWeCom(ctx context.Context, userID string) (engine.Rep, error)
}

// HandlerOptions are what the callback handler works with.
type HandlerOptions struct {
	Core  *bot.Core
	Reps  Reps
	Inbox Inbox
	// Channel sends the replies and redraws clicked cards.
	Channel *Channel
	// Kick, when set, is called after each command or click so that the
	// notices it caused go out now (bot.Sender.Kick).
	Kick func()
	// Lang is what people Leadbot does not know are answered in.
	Lang  i18n.Lang
	Clock engine.Clock
	Log   *slog.Logger
}

// Handler serves /wecom/callback: GET for URL verification, POST for
// messages and events.
//
// A POST is checked, recorded in the Inbox and answered at once with an
// empty 200; the command runs afterwards and its reply goes out as an app
// message. WeCom gives a callback 5 seconds and retries a slow one up to
// three times, while a command touches the database and its reply is
// another API round trip: answering first keeps well inside the limit,
// and the Inbox turns any retry into a no-op.
type Handler struct {
	seal *sealer
	opt  HandlerOptions
	wg   sync.WaitGroup
}

// maxSkew is how far a callback's timestamp may be from our clock.
const maxSkew = 5 * time.Minute

// runTimeout bounds the work a callback starts after it is answered.
const runTimeout = 30 * time.Second

// NewHandler returns the callback handler. cfg must be valid.
func NewHandler(cfg Config, o HandlerOptions) (*Handler, error) {
	seal, err := newSealer(cfg)
	if err != nil {
		return nil, err
	}
	if o.Core == nil || o.Reps == nil || o.Inbox == nil || o.Channel == nil {
		return nil, errors.New("wecom handler needs a core, reps, an inbox and a channel")
	}
	if o.Lang == "" {
		o.Lang = i18n.ZH
	}
	if o.Clock == nil {
		o.Clock = engine.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Kick == nil {
		o.Kick = func() {}
	}
	return &Handler{seal: seal, opt: o}, nil
}

// Wait blocks until the commands started by callbacks so far are done,
// for a clean shutdown.
func (h *Handler) Wait() { h.wg.Wait() }

// ServeHTTP answers WeCom's callbacks.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verifyURL(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verifyURL answers the check WeCom makes when the callback URL is saved:
// the decrypted echostr, exactly.
func (h *Handler) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	echo := q.Get("echostr")
	msg, err := h.open(q, echo)
	if err != nil {
		h.refuse(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(msg)
}

// envelope is the POST body around the ciphertext.
type envelope struct {
	ToUserName string `xml:"ToUserName"`
	AgentID    string `xml:"AgentID"`
	Encrypt    string `xml:"Encrypt"`
}

// inbound is a decrypted message or event; unused fields stay empty.
type inbound struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
	MsgID        string `xml:"MsgId"`
	Event        string `xml:"Event"`
	EventKey     string `xml:"EventKey"`
	TaskID       string `xml:"TaskId"`
	ResponseCode string `xml:"ResponseCode"`
}

// errMalformed is a body that is not a WeCom callback.
var errMalformed = errors.New("malformed callback")

func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		h.refuse(w, errMalformed)
		return
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil || env.Encrypt == "" {
		h.refuse(w, errMalformed)
		return
	}
	plain, err := h.open(r.URL.Query(), env.Encrypt)
	if err != nil {
		h.refuse(w, err)
		return
	}
	var in inbound
	if err := xml.Unmarshal(plain, &in); err != nil || in.FromUserName == "" {
		h.refuse(w, errMalformed)
		return
	}

	id, ok := deliveryID(in)
	if !ok {
		w.WriteHeader(http.StatusOK) // an event Leadbot does not act on
		return
	}
	first, err := h.opt.Inbox.Seen(r.Context(), Platform, id)
	if err != nil {
		// Nothing was recorded: let WeCom deliver it again.
		h.opt.Log.Warn("callback not recorded",
			slog.String("platform", Platform), slog.Any("err", err))
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
	if !first {
		h.opt.Log.Debug("callback repeated",
			slog.String("platform", Platform), slog.String("delivery_id", id))
		return
	}

	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), runTimeout)
	h.wg.Go(func() {
		defer cancel()
		h.act(ctx, in)
	})
}

// open checks a callback's timestamp and signature and decrypts it.
func (h *Handler) open(q map[string][]string, encrypted string) ([]byte, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ts := get("timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, errMalformed
	}
	if d := h.opt.Clock.Now().Sub(time.Unix(sec, 0)); d > maxSkew || d < -maxSkew {
		return nil, errTimestamp
	}
	if err := h.seal.verify(get("msg_signature"), ts, get("nonce"), encrypted); err != nil {
		return nil, err
	}
	return h.seal.open(encrypted)
}

// refuse answers a callback that does not check out. Malformed requests
// are 400, ones that fail a check 403.
func (h *Handler) refuse(w http.ResponseWriter, err error) {
	status := http.StatusForbidden
	if errors.Is(err, errMalformed) || errors.Is(err, errCipher) {
		status = http.StatusBadRequest
	}
	h.opt.Log.Warn("callback refused", slog.String("platform", Platform), slog.Any("err", err))
	http.Error(w, http.StatusText(status), status)
}

// deliveryID is what identifies a delivery across WeCom's retries:
// MsgId for a message, the click's ResponseCode for a card click, and
// sender and time for other events. ok is false for what Leadbot ignores.
func deliveryID(in inbound) (id string, ok bool) {
	switch {
	case in.MsgType == "text" && in.MsgID != "":
		return "msg:" + in.MsgID, true
	case in.MsgType == "text":
		return "msg:" + in.FromUserName + ":" + strconv.FormatInt(in.CreateTime, 10), true
	case in.MsgType == "event" && in.Event == "template_card_event" && in.ResponseCode != "":
		return "click:" + in.ResponseCode, true
	case in.MsgType == "event" && in.Event == "template_card_event":
		return "event:" + in.FromUserName + ":" + strconv.FormatInt(in.CreateTime, 10), true
	}
	return "", false
}

// act carries out a recorded message or click and answers the sender.
func (h *Handler) act(ctx context.Context, in inbound) {
	log := h.opt.Log.With(slog.String("platform", Platform))
	rep, err := h.opt.Reps.RepByWeCom(ctx, in.FromUserName)
	if engine.KindOf(err) == engine.NotFound {
		log.Info("stranger answered")
		rep = addressOnly(in.FromUserName)
		h.reply(ctx, log, rep, bot.Message{Text: h.opt.Core.Stranger(h.opt.Lang).Text})
		return
	}
	if err != nil {
		log.Error("callback sender not looked up", slog.Any("err", err))
		rep = addressOnly(in.FromUserName)
		h.reply(ctx, log, rep, bot.Message{Text: i18n.T(h.opt.Lang, "error.internal", nil)})
		return
	}
	if rep.WeComUserID == "" {
		rep.WeComUserID = in.FromUserName
	}
	log = log.With(slog.String("rep_id", string(rep.ID)))

	if in.MsgType == "text" {
		rp := h.opt.Core.Handle(ctx, bot.Inbound{Platform: Platform, User: rep, Text: in.Content})
		h.opt.Kick()
		h.reply(ctx, log, rep, bot.Message{Text: rp.Text, Card: rp.Card})
		return
	}
	h.click(ctx, log, rep, in)
}

// click runs a card's button and redraws that card with the outcome,
// using the code the click brought; the outcome's words go as a text.
func (h *Handler) click(ctx context.Context, log *slog.Logger, rep engine.Rep, in inbound) {
	ch := h.opt.Channel
	if in.TaskID != "" && in.ResponseCode != "" {
		if err := ch.codes.Put(ctx, in.TaskID, in.ResponseCode, h.opt.Clock.Now()); err != nil {
			log.Warn("card code not kept", slog.Any("err", err))
		}
	}
	rp := h.opt.Core.Handle(ctx, bot.Inbound{Platform: Platform, User: rep, Action: in.EventKey})
	h.opt.Kick()

	// Redraw only the card that was clicked, not, say, an approval card
	// with the lead's card that came back.
	if rp.Card != nil && strings.HasPrefix(in.TaskID, taskID(rp.Card.Key, "")) {
		if err := ch.update(ctx, in.TaskID, rep, bot.Message{Card: rp.Card}); err != nil {
			log.Warn("clicked card not redrawn", slog.Any("err", err))
		}
	}
	if rp.Text != "" {
		h.reply(ctx, log, rep, bot.Message{Text: rp.Text})
	}
}

// addressOnly is someone we can answer but do not know as a rep.
func addressOnly(userID string) engine.Rep {
	return engine.Rep{ID: engine.RepID("wecom:" + userID), WeComUserID: userID}
}

func (h *Handler) reply(ctx context.Context, log *slog.Logger, to engine.Rep, m bot.Message) {
	if _, err := h.opt.Channel.Send(ctx, to, m); err != nil {
		log.Warn("chat reply not sent", slog.Any("err", err))
	}
}

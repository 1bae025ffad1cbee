package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/open-dingtalk/dingtalk-stream-sdk-go/card"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/chatbot"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/client"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/handler"
	"github.com/open-dingtalk/dingtalk-stream-sdk-go/payload"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/bot/i18n"
	"github.com/leadbot/leadbot/engine"
)

// Inbox records what DingTalk delivered, so that a delivery arriving
// twice has one effect.
type Inbox interface {
	// Seen records the delivery id of a platform and reports whether
	// this is its first arrival. An error means nothing was recorded.
	Seen(ctx context.Context, platform, id string) (first bool, err error)
}

// Reps finds the rep behind a DingTalk user.
type Reps interface {
	// RepByDingTalk returns the rep with this staff id; an error of kind
	// engine.NotFound when there is none.
	RepByDingTalk(ctx context.Context, staffID string) (engine.Rep, error)
}

// StreamOptions configure the Stream client.
type StreamOptions struct {
	// Config is the app; Run refuses to start if it is invalid.
	Config Config
	// Core carries out commands and clicks.
	Core *bot.Core
	// Reps identifies senders by staff id.
	Reps Reps
	// Inbox makes a repeated delivery a no-op.
	Inbox Inbox
	// API sends the replies that cannot go back by sessionWebhook.
	API *API
	// Lang is the language for people Leadbot does not know, and for
	// reps whose profile names none.
	Lang i18n.Lang
	// Kick, when set, wakes the outbox sender after a command.
	Kick func()
	// Probe is how often the connection is checked, and reopened if it
	// was lost; 1 s when zero.
	Probe time.Duration
	// Backoff is the first wait after a failed connect; it doubles up to
	// a minute. 1 s when zero.
	Backoff time.Duration
	// HandlerTimeout bounds the work for one frame, and so how long a
	// shutdown waits for frames in flight; 15 s when zero.
	HandlerTimeout time.Duration
	// KeepAlive is how long a silent connection waits before it pings
	// the gateway; without a pong 5 s later it is closed and reopened.
	// 30 s when zero, at least 3 s.
	KeepAlive time.Duration
	// Log receives lifecycle events and failures; nothing when nil.
	Log *slog.Logger
}

// Stream is the connection to DingTalk's Stream gateway. It receives
// robot messages and card clicks, hands them to the chat core once each,
// and answers. The SDK's own reconnect is off: Run supervises the
// connection, so that it ends with its context.
type Stream struct {
	opt StreamOptions

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
	base     context.Context
}

// NewStream returns a Stream client; Run connects it.
func NewStream(o StreamOptions) *Stream {
	o.Config = o.Config.WithDefaults()
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Kick == nil {
		o.Kick = func() {}
	}
	if o.Probe <= 0 {
		o.Probe = time.Second
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = 15 * time.Second
	}
	if o.KeepAlive <= 0 {
		o.KeepAlive = 30 * time.Second
	}
	return &Stream{opt: o}
}

const maxBackoff = time.Minute

// Run keeps a Stream connection open until ctx ends: a lost connection
// or a disconnect frame is followed by a new one, failed connects are
// retried with backoff. It returns nil once the connection is closed
// and no frame is being handled any more, or at once the error of an
// invalid Config.
func (s *Stream) Run(ctx context.Context) error {
	if err := s.opt.Config.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.base, s.closed = context.WithoutCancel(ctx), false
	s.mu.Unlock()

	cli := client.NewStreamClient(
		client.WithAppCredential(client.NewAppCredentialConfig(
			s.opt.Config.ClientID, s.opt.Config.ClientSecret)),
		client.WithOpenApiHost(s.opt.Config.APIBase),
		client.WithAutoReconnect(false),
		client.WithKeepAlive(s.opt.KeepAlive),
	)
	cli.RegisterCallbackRouter(payload.BotMessageCallbackTopic, s.guard(s.onMessage))
	cli.RegisterCallbackRouter(payload.CardInstanceCallbackTopic, s.guard(s.onCard))
	s.opt.Log.Info("dingtalk stream starting", slog.String("platform", Platform),
		slog.Any("config", s.opt.Config))

	backoff, attempt := s.opt.Backoff, 0
	for {
		// Start opens a connection only when there is none, so calling it
		// on every probe reconnects after a loss and costs nothing else.
		// TODO: the SDK does not tell when a connection is lost, so a
		// reconnect that works at once is not logged.
		wait := s.opt.Probe
		if err := cli.Start(ctx); err != nil && ctx.Err() == nil {
			attempt++
			wait = backoff/2 + rand.N(backoff/2+1)
			backoff = min(2*backoff, maxBackoff)
			level := slog.LevelWarn
			if attempt >= 5 {
				// Still failing: likely credentials or network, for an
				// operator to fix.
				level = slog.LevelError
			}
			s.opt.Log.Log(ctx, level, "dingtalk stream connect failed",
				slog.String("platform", Platform), slog.Int("attempt", attempt),
				slog.Duration("next", wait), slog.String("err", redactTicket(err.Error())))
		} else if err == nil {
			backoff, attempt = s.opt.Backoff, 0
		}

		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			s.shutdown(cli)
			return nil
		case <-t.C:
		}
	}
}

var ticketParam = regexp.MustCompile(`ticket=[^&\s"]+`)

// redactTicket hides a connection ticket that a dial error may quote.
func redactTicket(s string) string { return ticketParam.ReplaceAllString(s, "ticket=REDACTED") }

// shutdown closes the connection and waits for the frames in flight.
func (s *Stream) shutdown(cli *client.StreamClient) {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	cli.Close()
	s.inflight.Wait()
	s.opt.Log.Info("dingtalk stream stopped", slog.String("platform", Platform))
}

// guard runs a handler under Run's context rather than the SDK's, and
// counts it so that shutdown can wait for it.
func (s *Stream) guard(h handler.IFrameHandler) handler.IFrameHandler {
	return func(_ context.Context, df *payload.DataFrame) (*payload.DataFrameResponse, error) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil, errors.New("shutting down")
		}
		s.inflight.Add(1)
		base := s.base
		s.mu.Unlock()
		defer s.inflight.Done()

		ctx, cancel := context.WithTimeout(base, s.opt.HandlerTimeout)
		defer cancel()
		return h(ctx, df)
	}
}

// onMessage answers a robot message, one to one or in a group.
func (s *Stream) onMessage(
	ctx context.Context, df *payload.DataFrame,
) (*payload.DataFrameResponse, error) {
	var m chatbot.BotCallbackDataModel
	if err := json.Unmarshal([]byte(df.Data), &m); err != nil {
		return nil, fmt.Errorf("decode robot message: %w", err)
	}
	id := m.MsgId
	if id == "" {
		id = df.GetMessageId()
	}
	first, err := s.opt.Inbox.Seen(ctx, Platform, "msg:"+id)
	if err != nil {
		s.opt.Log.Error("dingtalk message not recorded", slog.String("msg_id", id),
			slog.Any("err", err))
		return nil, errors.New("message not recorded")
	}
	if !first {
		s.opt.Log.Debug("dingtalk message repeated", slog.String("msg_id", id))
		return payload.NewSuccessDataFrameResponse(), nil
	}

	// In groups the text keeps the space that stood after the mention.
	text := strings.TrimSpace(m.Text.Content)
	in := bot.Inbound{Platform: Platform, Text: text}
	if typedAction(text) {
		in.Text, in.Action = "", text
	}
	reply, lang := s.handle(ctx, m.SenderStaffId, in)
	if err := s.answer(ctx, &m, reply, lang); err != nil {
		s.opt.Log.Warn("dingtalk reply failed", slog.String("msg_id", id), slog.Any("err", err))
	}
	return payload.NewSuccessDataFrameResponse(), nil
}

// handle identifies the sender and runs what they sent through the core.
func (s *Stream) handle(
	ctx context.Context, staffID string, in bot.Inbound,
) (bot.Reply, i18n.Lang) {
	rep, err := s.opt.Reps.RepByDingTalk(ctx, staffID)
	if engine.KindOf(err) == engine.NotFound {
		return s.opt.Core.Stranger(s.opt.Lang), s.opt.Lang
	}
	if err != nil {
		s.opt.Log.Error("dingtalk sender not identified", slog.String("platform", Platform),
			slog.Any("err", err))
		return bot.Reply{Text: i18n.T(s.opt.Lang, "error.internal", nil)}, s.opt.Lang
	}
	lang := s.opt.Lang
	if rep.Language != "" {
		lang = i18n.Parse(rep.Language)
	}
	in.User = rep
	reply := s.opt.Core.Handle(ctx, in)
	s.opt.Kick()
	return reply, lang
}

// answer replies in the conversation of m: by its sessionWebhook while
// that lasts, by the robot send API after.
func (s *Stream) answer(
	ctx context.Context, m *chatbot.BotCallbackDataModel, r bot.Reply, lang i18n.Lang,
) error {
	title, text := markdown(bot.Message{Text: r.Text, Card: r.Card}, lang)
	param := map[string]string{"title": title, "text": text}
	if m.SessionWebhook != "" && time.Now().UnixMilli() < m.SessionWebhookExpiredTime {
		body := map[string]any{"msgtype": "markdown", "markdown": param}
		return s.opt.API.ReplySession(ctx, m.SessionWebhook, body)
	}
	if m.ConversationType == "2" {
		return s.opt.API.SendToGroup(ctx, m.ConversationId, "sampleMarkdown", param)
	}
	_, err := s.opt.API.SendToUsers(ctx, []string{m.SenderStaffId}, "sampleMarkdown", param)
	return err
}

// onCard carries out a card click. The card is redrawn for the clicker
// in the acknowledgement; the reply text goes to them one to one.
func (s *Stream) onCard(
	ctx context.Context, df *payload.DataFrame,
) (*payload.DataFrameResponse, error) {
	var req card.CardRequest
	if err := json.Unmarshal([]byte(df.Data), &req); err != nil {
		return nil, fmt.Errorf("decode card callback: %w", err)
	}
	if err := json.Unmarshal([]byte(req.Content), &req.CardActionData); err != nil {
		return nil, fmt.Errorf("decode card callback content: %w", err)
	}
	id := df.GetMessageId()
	first, err := s.opt.Inbox.Seen(ctx, Platform, "card:"+id)
	if err != nil {
		s.opt.Log.Error("dingtalk click not recorded", slog.String("msg_id", id),
			slog.Any("err", err))
		return nil, errors.New("click not recorded")
	}
	act := req.GetActionString("action")
	if !first || act == "" {
		s.opt.Log.Debug("dingtalk click ignored", slog.String("msg_id", id),
			slog.Bool("repeat", !first))
		return payload.NewSuccessDataFrameResponse(), nil
	}

	in := bot.Inbound{Platform: Platform, Action: act, Value: paramString(req, "value")}
	reply, lang := s.handle(ctx, req.UserId, in)
	if reply.Text != "" {
		content := map[string]string{"content": reply.Text}
		_, err := s.opt.API.SendToUsers(ctx, []string{req.UserId}, "sampleText", content)
		if err != nil {
			s.opt.Log.Warn("dingtalk click reply failed", slog.String("msg_id", id),
				slog.Any("err", err))
		}
	}
	resp := payload.NewSuccessDataFrameResponse()
	if reply.Card == nil || s.opt.Config.CardTemplateID == "" {
		return resp, nil
	}
	params := cardParams(bot.Message{Card: reply.Card}, lang)
	update := card.CardResponse{
		CardUpdateOptions: &card.CardUpdateOptions{UpdateCardDataByKey: true},
		CardData:          &card.CardDataDto{CardParamMap: params},
	}
	if err := resp.SetJson(map[string]any{"response": update}); err != nil {
		return nil, fmt.Errorf("encode card update: %w", err)
	}
	return resp, nil
}

// paramString reads a click parameter that the card may send as a
// string or a number.
func paramString(req card.CardRequest, name string) string {
	switch v := req.CardActionData.CardPrivateData.Params[name].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

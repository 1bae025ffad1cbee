package dingtalk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"strings"
	"sync"
	"time"

	"github.com/leadbot/leadbot/bot"
)

// ErrThrottled marks a call DingTalk refused for its rate limits: the
// app's QPS (HTTP 403 or 429) or a recipient's flow control. It goes
// away by retrying later.
var ErrThrottled = errors.New("dingtalk rate limit")

// APIError is an OpenAPI call that DingTalk answered with an error
// status. It wraps bot.ErrPermanent when retrying cannot help (bad
// parameters, credentials or permissions) and ErrThrottled when DingTalk
// asks to slow down; anything else, such as a 5xx, is transient.
type APIError struct {
	// Op is what was being done, such as "robot send".
	Op string
	// Status is the HTTP status.
	Status int
	// Code, Message and RequestID are DingTalk's error body.
	Code      string
	Message   string
	RequestID string
}

// Error says which call failed and what DingTalk answered.
func (e *APIError) Error() string {
	s := fmt.Sprintf("dingtalk %s: http %d", e.Op, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns ErrThrottled, bot.ErrPermanent or nothing, by kind.
func (e *APIError) Unwrap() error {
	switch {
	case e.throttled():
		return ErrThrottled
	case e.Status >= 400 && e.Status < 500 && e.Status != http.StatusRequestTimeout:
		return bot.ErrPermanent
	}
	return nil
}

// throttled tells QPS limits from permission errors, which DingTalk
// also answers with 403 but under a Forbidden.AccessDenied code.
func (e *APIError) throttled() bool {
	code := strings.ToLower(e.Code)
	for _, s := range []string{"qps", "throttl", "flowcontrol", "toomany", "ratelimit"} {
		if strings.Contains(code, s) {
			return true
		}
	}
	if e.Status == http.StatusTooManyRequests {
		return true
	}
	return e.Status == http.StatusForbidden && !strings.Contains(code, "accessdenied") &&
		!strings.Contains(code, "permission")
}

// authFailed reports a rejected access token, which a fresh one cures.
func (e *APIError) authFailed() bool {
	return e.Status == http.StatusUnauthorized || strings.EqualFold(e.Code, "InvalidAuthentication")
}

// API is a small client of DingTalk's OpenAPI: the access token, robot
// messages and interactive cards. It is safe for concurrent use.
type API struct {
	cfg  Config
	http *http.Client
	now  func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewAPI returns a client for the app in cfg; hc nil means a client
// with a 10 s timeout.
func NewAPI(cfg Config, hc *http.Client) *API {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &API{cfg: cfg.WithDefaults(), http: hc, now: time.Now}
}

// Token returns a valid access token, asking DingTalk for one when none
// is cached or the cached one is near its expiry.
// Concurrent callers share one request.
func (a *API) Token(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token != "" && a.now().Before(a.expires) {
		return a.token, nil
	}
	in := map[string]string{"appKey": a.cfg.ClientID, "appSecret": a.cfg.ClientSecret}
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpireIn    int64  `json:"expireIn"`
	}
	err := a.call(ctx, "get access token", http.MethodPost, "/v1.0/oauth2/accessToken", "", in, &out)
	if err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", fmt.Errorf("dingtalk get access token: empty token in answer")
	}
	ttl := time.Duration(out.ExpireIn) * time.Second
	a.token = out.AccessToken
	a.expires = a.now().Add(ttl - min(5*time.Minute, ttl/2))
	return a.token, nil
}

// forget drops a token DingTalk rejected, unless another caller has
// replaced it already.
func (a *API) forget(token string) {
	a.mu.Lock()
	if a.token == token {
		a.token = ""
	}
	a.mu.Unlock()
}

// do calls an OpenAPI method with the access token, and once more with
// a fresh token if DingTalk rejects the first.
func (a *API) do(ctx context.Context, op, method, path string, in, out any) error {
	for attempt := 0; ; attempt++ {
		tok, err := a.Token(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		err = a.call(ctx, op, method, path, tok, in, out)
		var ae *APIError
		if attempt == 0 && errors.As(err, &ae) && ae.authFailed() {
			a.forget(tok)
			continue
		}
		return err
	}
}

// call sends one JSON request and decodes a 2xx answer into out.
func (a *API) call(ctx context.Context, op, method, path, token string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("dingtalk %s: encode: %w", op, err)
	}
	url := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		url = a.cfg.APIBase + path
	}
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("dingtalk %s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("x-acs-dingtalk-access-token", token)
	}

	resp, err := a.http.Do(req)
	if err != nil {
		// A sessionWebhook carries its credential in the query.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL)
		}
		return fmt.Errorf("dingtalk %s: %w", op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("dingtalk %s: read answer: %w", op, err)
	}

	if resp.StatusCode/100 != 2 {
		ae := &APIError{Op: op, Status: resp.StatusCode}
		var e struct {
			Code      string `json:"code"`
			Message   string `json:"message"`
			RequestID string `json:"requestid"`
		}
		if json.Unmarshal(data, &e) == nil {
			ae.Code, ae.Message, ae.RequestID = e.Code, e.Message, e.RequestID
		}
		return ae
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("dingtalk %s: decode answer: %w", op, err)
	}
	return nil
}

// SendResult is the answer to a robot one-to-one batch send: the
// recipients DingTalk did not deliver to, by reason.
type SendResult struct {
	ProcessQueryKey string   `json:"processQueryKey"`
	Invalid         []string `json:"invalidStaffIdList"`
	FlowControlled  []string `json:"flowControlledStaffIdList"`
	Filtered        []string `json:"filteredStaffIdList"`
}

// Err turns the undelivered recipients into an error: flow control is
// ErrThrottled, unknown or filtered staff ids are bot.ErrPermanent.
func (r SendResult) Err() error {
	var errs []error
	if len(r.FlowControlled) > 0 {
		errs = append(errs, fmt.Errorf("dingtalk flow control for %s: %w",
			strings.Join(r.FlowControlled, ","), ErrThrottled))
	}
	if len(r.Invalid) > 0 {
		errs = append(errs, fmt.Errorf("dingtalk does not know staff %s: %w",
			strings.Join(r.Invalid, ","), bot.ErrPermanent))
	}
	if len(r.Filtered) > 0 {
		errs = append(errs, fmt.Errorf("dingtalk filtered the message to %s: %w",
			strings.Join(r.Filtered, ","), bot.ErrPermanent))
	}
	return errors.Join(errs...)
}

// SendToUsers sends a robot message to up to 20 staff ids one to one.
// msgKey is DingTalk's message kind, such as "sampleText" with param
// {"content"} or "sampleMarkdown" with {"title", "text"}. A recipient
// DingTalk did not deliver to is an error (see SendResult.Err).
func (a *API) SendToUsers(
	ctx context.Context, staffIDs []string, msgKey string, param any,
) (SendResult, error) {
	p, err := json.Marshal(param)
	if err != nil {
		return SendResult{}, fmt.Errorf("dingtalk robot send: encode: %w", err)
	}
	in := map[string]any{"robotCode": a.cfg.RobotCode, "userIds": staffIDs, "msgKey": msgKey,
		"msgParam": string(p)}
	var out SendResult
	err = a.do(ctx, "robot send", http.MethodPost, "/v1.0/robot/oToMessages/batchSend", in, &out)
	if err != nil {
		return out, err
	}
	return out, out.Err()
}

// SendToGroup sends a robot message to a group conversation.
func (a *API) SendToGroup(ctx context.Context, conversationID, msgKey string, param any) error {
	p, err := json.Marshal(param)
	if err != nil {
		return fmt.Errorf("dingtalk group send: encode: %w", err)
	}
	in := map[string]any{"robotCode": a.cfg.RobotCode, "openConversationId": conversationID,
		"msgKey": msgKey, "msgParam": string(p)}
	return a.do(ctx, "group send", http.MethodPost, "/v1.0/robot/groupMessages/send", in, nil)
}

// cardData is an interactive card's public variables.
type cardData struct {
	CardParamMap map[string]string `json:"cardParamMap"`
}

// CreateCard creates an interactive card from the configured template
// and delivers it to one staff id in the robot's one-to-one chat. Its
// clicks come back through Stream; outTrackID names it for updates.
func (a *API) CreateCard(
	ctx context.Context, outTrackID, staffID string, params map[string]string,
) error {
	in := map[string]any{
		"cardTemplateId":        a.cfg.CardTemplateID,
		"outTrackId":            outTrackID,
		"callbackType":          "STREAM",
		"cardData":              cardData{CardParamMap: params},
		"openSpaceId":           "dtv1.card//IM_ROBOT." + staffID,
		"imRobotOpenSpaceModel": map[string]any{"supportForward": false},
		"imRobotOpenDeliverModel": map[string]any{"spaceType": "IM_ROBOT",
			"robotCode": a.cfg.RobotCode},
		"userIdType": 1,
	}
	return a.createAndDeliver(ctx, outTrackID, in)
}

// CreateGroupCard creates an interactive card in a group chat, where any
// member may click it; it is updated by outTrackId like a 1:1 card.
func (a *API) CreateGroupCard(
	ctx context.Context, outTrackID, conversationID string, params map[string]string,
) error {
	in := map[string]any{
		"cardTemplateId":          a.cfg.CardTemplateID,
		"outTrackId":              outTrackID,
		"callbackType":            "STREAM",
		"cardData":                cardData{CardParamMap: params},
		"openSpaceId":             "dtv1.card//IM_GROUP." + conversationID,
		"imGroupOpenSpaceModel":   map[string]any{"supportForward": false},
		"imGroupOpenDeliverModel": map[string]any{"robotCode": a.cfg.RobotCode},
		"userIdType":              1,
	}
	return a.createAndDeliver(ctx, outTrackID, in)
}

func (a *API) createAndDeliver(ctx context.Context, outTrackID string, in map[string]any) error {
	var out struct {
		Success bool `json:"success"`
		Result  struct {
			DeliverResults []struct {
				SpaceID  string `json:"spaceId"`
				Success  bool   `json:"success"`
				ErrorMsg string `json:"errorMsg"`
			} `json:"deliverResults"`
		} `json:"result"`
	}
	err := a.do(ctx, "create card", http.MethodPost, "/v1.0/card/instances/createAndDeliver", in, &out)
	if err != nil {
		return err
	}
	if !out.Success {
		return fmt.Errorf("dingtalk create card %s: not successful", outTrackID)
	}
	for _, d := range out.Result.DeliverResults {
		if !d.Success {
			return fmt.Errorf("dingtalk deliver card %s to %s: %s", outTrackID, d.SpaceID, d.ErrorMsg)
		}
	}
	return nil
}

// UpdateCard replaces the public variables of the card named outTrackID.
func (a *API) UpdateCard(ctx context.Context, outTrackID string, params map[string]string) error {
	in := map[string]any{
		"outTrackId":        outTrackID,
		"cardData":          cardData{CardParamMap: params},
		"cardUpdateOptions": map[string]bool{"updateCardDataByKey": true},
		"userIdType":        1,
	}
	var out struct {
		Success bool `json:"success"`
	}
	if err := a.do(ctx, "update card", http.MethodPut, "/v1.0/card/instances", in, &out); err != nil {
		return err
	}
	if !out.Success {
		return fmt.Errorf("dingtalk update card %s: not successful", outTrackID)
	}
	return nil
}

// webhookOverLimit is the errcode of a robot webhook over its 20
// messages a minute.
const webhookOverLimit = 90030

// ReplySession posts a message to the sessionWebhook that came with a
// robot message; body is DingTalk's webhook message, such as
// {"msgtype":"text","text":{"content":".."}}. The webhook needs no token.
func (a *API) ReplySession(ctx context.Context, webhook string, body any) error {
	var out struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := a.call(ctx, "session reply", http.MethodPost, webhook, "", body, &out); err != nil {
		return err
	}
	if out.ErrCode == webhookOverLimit {
		return fmt.Errorf("dingtalk session reply: errcode %d: %s: %w",
			out.ErrCode, out.ErrMsg, ErrThrottled)
	}
	if out.ErrCode != 0 {
		return fmt.Errorf("dingtalk session reply: errcode %d: %s", out.ErrCode, out.ErrMsg)
	}
	return nil
}

// redact drops the query of a URL, where webhooks keep their secrets.
func redact(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?REDACTED"
	}
	return u
}

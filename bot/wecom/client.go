package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/leadbot/leadbot/bot"
	"github.com/leadbot/leadbot/engine"
)

// APIError is an errcode WeCom answered with.
type APIError struct {
	Op      string
	Code    int
	Message string
}

// Error says which call failed and WeCom's code and message, and for a
// code about our configuration, the setting to fix.
func (e *APIError) Error() string {
	msg := fmt.Sprintf("wecom %s: errcode %d: %s", e.Op, e.Code, e.Message)
	if s, ok := configCodes[e.Code]; ok {
		msg += " (check " + s + ")"
	}
	return msg
}

// Unwrap makes errors.Is(err, bot.ErrPermanent) true for codes that a
// retry cannot fix: a bad request, or a setting an operator must change.
func (e *APIError) Unwrap() error {
	if permanentCodes[e.Code] || configCodes[e.Code] != "" {
		return bot.ErrPermanent
	}
	return nil
}

// Codes that mean the token must be fetched again.
const (
	codeTokenInvalid = 40014
	codeTokenExpired = 42001
)

// client calls WeCom's API with a cached access token. The token and the
// secret travel in query strings, so errors from the transport are
// stripped of their URL before anyone sees them.
type client struct {
	cfg   Config
	http  *http.Client
	clock engine.Clock
	alarm *alarm

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newClient(cfg Config, hc *http.Client, clock engine.Clock, log *slog.Logger) *client {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &client{cfg: cfg, http: hc, clock: clock, alarm: newAlarm(clock, log)}
}

// accessToken returns the cached token, fetching one when there is none
// or it is about to expire. Callers wait for one fetch rather than each
// asking, since gettoken is itself rate-limited (45009).
func (c *client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.clock.Now().Before(c.expires) {
		return c.token, nil
	}

	q := url.Values{"corpid": {c.cfg.CorpID}, "corpsecret": {c.cfg.Secret}}
	var resp struct {
		ErrCode     int    `json:"errcode"`
		ErrMsg      string `json:"errmsg"`
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := c.do(ctx, http.MethodGet, "/cgi-bin/gettoken", q, nil, &resp); err != nil {
		return "", err
	}
	if resp.ErrCode != 0 || resp.AccessToken == "" {
		return "", c.alarm.check(&APIError{Op: "gettoken", Code: resp.ErrCode, Message: resp.ErrMsg})
	}

	// Renew a few minutes early so that a call never carries a token
	// that expires in flight.
	life := time.Duration(resp.ExpiresIn)*time.Second - 5*time.Minute
	c.token, c.expires = resp.AccessToken, c.clock.Now().Add(max(life, 0))
	return c.token, nil
}

// dropToken forgets token unless another caller has replaced it already.
func (c *client) dropToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == token {
		c.token = ""
	}
}

// errResult is what every API answer carries.
type errResult struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (r errResult) result() errResult { return r }

// result is an API answer with its errcode.
type result interface{ result() errResult }

// post sends body to an API path with the access token. When WeCom says
// the token is invalid or expired, it fetches a new one and tries once
// more.
func (c *client) post(ctx context.Context, op, path string, body any, out result) error {
	for attempt := 0; ; attempt++ {
		token, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		q := url.Values{"access_token": {token}}
		if err := c.do(ctx, http.MethodPost, path, q, body, out); err != nil {
			return err
		}

		r := out.result()
		switch {
		case r.ErrCode == 0:
			return nil
		case (r.ErrCode == codeTokenInvalid || r.ErrCode == codeTokenExpired) && attempt == 0:
			c.dropToken(token)
			continue
		}
		return c.alarm.check(&APIError{Op: op, Code: r.ErrCode, Message: r.ErrMsg})
	}
}

// do makes one HTTP call and decodes its JSON answer. WeCom reports
// errors as errcodes in a 200 answer; another status is a transport
// problem.
func (c *client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s: %w", path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.apiBase()+path+"?"+q.Encode(), rd)
	if err != nil {
		return fmt.Errorf("wecom %s: %w", path, errors.New("bad request url"))
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the URL, and with it a secret
		}
		return fmt.Errorf("wecom %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("wecom %s: http status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(out); err != nil {
		return fmt.Errorf("wecom %s: decode answer: %w", path, err)
	}
	return nil
}

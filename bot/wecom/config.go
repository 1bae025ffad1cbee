// Package wecom is Leadbot's WeCom (企业微信) self-built app: the callback
// handler that turns typed commands and card clicks into bot.Inbound, and
// the Channel that sends cards and texts as app messages and redraws them
// after a click.
//
// It relies on the chat core (bot.Core) for what a command means, on an
// Inbox for recording deliveries so that WeCom's retries have one effect,
// and on a rep lookup by wecom_userid. Callback crypto uses the primitives
// of github.com/silenceper/wechat/v2/util; the API calls go through a small
// client here, because the SDK hard-codes the API host, takes no context,
// has no update_template_card and does not refresh a revoked token.
package wecom

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// DefaultAPIBase is WeCom's API host.
const DefaultAPIBase = "https://qyapi.weixin.qq.com"

// Platform is the name the channel and its deliveries go by.
const Platform = "wecom"

// Config is a WeCom self-built app as its admin configured it. Secret,
// Token and AESKey are secrets: nothing in this package logs them.
type Config struct {
	// CorpID is the corporation's id; it is also the ReceiveId every
	// callback must carry (LEADBOT_WECOM_CORP_ID).
	CorpID string
	// AgentID is the app's AgentId (LEADBOT_WECOM_AGENT_ID).
	AgentID int
	// Secret is the app's Secret (LEADBOT_WECOM_SECRET).
	Secret string
	// Token signs callbacks (LEADBOT_WECOM_TOKEN).
	Token string
	// AESKey is the callback EncodingAESKey, 43 characters of base64
	// (LEADBOT_WECOM_AES_KEY).
	AESKey string
	// APIBase is where the API is reached, DefaultAPIBase when empty
	// (LEADBOT_WECOM_API_BASE).
	APIBase string
	// DuplicateCheck is how long WeCom drops an app message identical to
	// one it took already (message/send's enable_duplicate_check and
	// duplicate_check_interval, at most 4 hours); 0 turns the check off
	// (LEADBOT_WECOM_DUPLICATE_CHECK).
	DuplicateCheck time.Duration
}

// MaxDuplicateCheck is the longest duplicate check WeCom accepts.
const MaxDuplicateCheck = 4 * time.Hour

// Validate reports the first setting that is missing or malformed, named
// by its environment variable. It never quotes a secret's value.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.CorpID) == "" {
		errs = append(errs, errors.New("LEADBOT_WECOM_CORP_ID is required"))
	}
	if c.AgentID <= 0 {
		errs = append(errs, errors.New("LEADBOT_WECOM_AGENT_ID must be a positive integer"))
	}
	if c.Secret == "" {
		errs = append(errs, errors.New("LEADBOT_WECOM_SECRET is required"))
	}
	if c.Token == "" {
		errs = append(errs, errors.New("LEADBOT_WECOM_TOKEN is required"))
	}
	if _, err := aesKey(c.AESKey); err != nil {
		errs = append(errs, fmt.Errorf("LEADBOT_WECOM_AES_KEY: %w", err))
	}
	if c.DuplicateCheck < 0 || c.DuplicateCheck > MaxDuplicateCheck ||
		c.DuplicateCheck%time.Second != 0 {
		errs = append(errs, fmt.Errorf(
			"LEADBOT_WECOM_DUPLICATE_CHECK is %s; want whole seconds from 0 (off) to 4h",
			c.DuplicateCheck))
	}
	if c.APIBase != "" {
		u, err := url.Parse(c.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs,
				fmt.Errorf("LEADBOT_WECOM_API_BASE %q is not an http(s) URL", c.APIBase))
		}
	}
	return errors.Join(errs...)
}

// apiBase is the API base without a trailing slash.
func (c Config) apiBase() string {
	if c.APIBase == "" {
		return DefaultAPIBase
	}
	return strings.TrimRight(c.APIBase, "/")
}

// aesKey decodes an EncodingAESKey into the 32-byte AES-256 key.
func aesKey(s string) ([]byte, error) {
	if len(s) != 43 {
		return nil, fmt.Errorf("must be 43 characters, got %d", len(s))
	}
	key, err := base64.StdEncoding.DecodeString(s + "=")
	if err != nil || len(key) != 32 {
		return nil, errors.New("is not base64 of a 32-byte key")
	}
	return key, nil
}

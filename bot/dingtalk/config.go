// Package dingtalk is Leadbot's DingTalk (钉钉) adapter for an enterprise
// internal app in Stream mode. Stream receives robot messages and card
// clicks over the official Stream SDK's websocket and hands them to the
// chat core; Channel delivers cards and messages through a small client
// of DingTalk's OpenAPI (API) of its own. Everything is reached through
// one configurable base URL, so tests and private gateways need no
// global state. It relies on bot for the platform-neutral chat model and
// on the caller for the rep directory and the once-only inbox.
//
// The Stream SDK is dingtalk-stream-sdk-go v0.9.2-beta.1, not v0.9.1:
// v0.9.1 crashes the process when a pong is late, loses ACKs to
// unsynchronised writes and fails -race; the beta serialises writes and
// ends its connection by context, and passes this package's gateway
// tests (pong withheld, bursts of frames, disconnects) under -race. Its
// own reconnect loop is off all the same, so that Run owns the
// connection's lifetime.
package dingtalk

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Platform is DingTalk's platform name in deliveries and logs.
const Platform = "dingtalk"

// DefaultAPIBase is DingTalk's OpenAPI host, which also opens Stream
// connections.
const DefaultAPIBase = "https://api.dingtalk.com"

// Config is the DingTalk app as the LEADBOT_DINGTALK_* settings describe
// it.
type Config struct {
	// ClientID is the app's AppKey (LEADBOT_DINGTALK_CLIENT_ID).
	ClientID string
	// ClientSecret is the app's AppSecret
	// (LEADBOT_DINGTALK_CLIENT_SECRET). It is never logged.
	ClientSecret string
	// RobotCode is the robot's code (LEADBOT_DINGTALK_ROBOT_CODE); the
	// client id when empty, as it is for internal apps.
	RobotCode string
	// CardTemplateID is the interactive card template for assignment and
	// pool cards (LEADBOT_DINGTALK_CARD_TEMPLATE_ID). Without it cards
	// go out as markdown that shows the commands to type.
	CardTemplateID string
	// APIBase is the OpenAPI base URL (LEADBOT_DINGTALK_API_BASE),
	// DefaultAPIBase when empty. Stream connections are opened there too.
	APIBase string
}

// WithDefaults returns c with the robot code and API base filled in.
func (c Config) WithDefaults() Config {
	if c.RobotCode == "" {
		c.RobotCode = c.ClientID
	}
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	c.APIBase = strings.TrimRight(c.APIBase, "/")
	return c
}

// Validate reports every setting that is missing or malformed, naming
// the LEADBOT_DINGTALK_* variable at fault.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, errors.New("LEADBOT_DINGTALK_CLIENT_ID is not set"))
	}
	if strings.TrimSpace(c.ClientSecret) == "" {
		errs = append(errs, errors.New("LEADBOT_DINGTALK_CLIENT_SECRET is not set"))
	}
	u, err := url.Parse(c.APIBase)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("LEADBOT_DINGTALK_API_BASE %q: want an http or https URL",
			c.APIBase))
	}
	if strings.ContainsAny(c.CardTemplateID, " \t\r\n") {
		errs = append(errs, fmt.Errorf("LEADBOT_DINGTALK_CARD_TEMPLATE_ID %q: contains spaces",
			c.CardTemplateID))
	}
	return errors.Join(errs...)
}

// LogValue logs the settings without the secret.
func (c Config) LogValue() slog.Value {
	c = c.WithDefaults()
	return slog.GroupValue(
		slog.String("client_id", c.ClientID),
		slog.String("robot_code", c.RobotCode),
		slog.Bool("cards", c.CardTemplateID != ""),
		slog.String("api_base", c.APIBase),
	)
}

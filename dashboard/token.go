package dashboard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadbot/leadbot/engine"
)

// The reasons a token is refused.
var (
	ErrMalformed = errors.New("dashboard link is malformed")
	ErrSignature = errors.New("dashboard link signature does not match")
	ErrExpired   = errors.New("dashboard link has expired")
)

// Signer makes and checks dashboard links: an HMAC-SHA256 over the rep
// id and the expiry, keyed with the installation's secret.
type Signer struct {
	key []byte
}

// NewSigner returns a signer keyed with secret, which must not be empty.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) == 0 {
		return nil, errors.New("dashboard secret is empty")
	}
	return &Signer{key: secret}, nil
}

// Sign returns a token for rep that expires at expires. It has the form
// rep.expiry.mac, the rep id base64url-encoded and the expiry in Unix
// seconds.
func (s *Signer) Sign(rep engine.RepID, expires time.Time) string {
	body := base64.RawURLEncoding.EncodeToString([]byte(rep)) + "." +
		strconv.FormatInt(expires.Unix(), 10)
	return body + "." + base64.RawURLEncoding.EncodeToString(s.mac(body))
}

// Verify returns the rep a token names and when it expires, or
// ErrMalformed, ErrSignature or ErrExpired (at or after expiry at now).
func (s *Signer) Verify(token string, now time.Time) (engine.RepID, time.Time, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", time.Time{}, ErrMalformed
	}
	body := parts[0] + "." + parts[1]
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", time.Time{}, ErrMalformed
	}
	if !hmac.Equal(sig, s.mac(body)) {
		return "", time.Time{}, ErrSignature
	}
	rep, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || len(rep) == 0 {
		return "", time.Time{}, ErrMalformed
	}
	unix, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", time.Time{}, ErrMalformed
	}
	exp := time.Unix(unix, 0)
	if !now.Before(exp) {
		return "", time.Time{}, fmt.Errorf("%w at %s", ErrExpired, exp.UTC().Format(time.RFC3339))
	}
	return engine.RepID(rep), exp, nil
}

func (s *Signer) mac(body string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(body))
	return m.Sum(nil)
}

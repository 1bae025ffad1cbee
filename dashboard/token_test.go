package dashboard

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSignerVerify(t *testing.T) {
	s, _ := NewSigner([]byte("0123456789abcdef"))
	other, _ := NewSigner([]byte("fedcba9876543210"))
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	good := s.Sign("m1", now.Add(time.Hour))
	rep, mac, _ := strings.Cut(good, ".")
	_, sig, _ := strings.Cut(mac, ".")
	tests := []struct {
		name  string
		token string
		at    time.Time
		want  error
	}{
		{"valid", good, now, nil},
		{"valid a second before expiry", good, now.Add(time.Hour - time.Second), nil},
		{"expired at expiry", good, now.Add(time.Hour), ErrExpired},
		{"other rep", "bTI." + strings.TrimPrefix(good, rep+"."), now, ErrSignature},
		{"later expiry", rep + ".9999999999." + sig, now, ErrSignature},
		{"other secret", other.Sign("m1", now.Add(time.Hour)), now, ErrSignature},
		{"two parts", rep + "." + sig, now, ErrMalformed},
		{"bad base64", good + "!", now, ErrMalformed},
		{"empty", "", now, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, exp, err := s.Verify(tt.token, tt.at)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if tt.want == nil && (id != "m1" || !exp.Equal(now.Add(time.Hour))) {
				t.Errorf("Verify = %s, %s; want m1, %s", id, exp, now.Add(time.Hour))
			}
		})
	}
}

func TestNewSignerRefusesEmptySecret(t *testing.T) {
	if _, err := NewSigner(nil); err == nil {
		t.Error("NewSigner(nil) = nil error, want one")
	}
}

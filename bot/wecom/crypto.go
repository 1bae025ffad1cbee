package wecom

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/util"
)

// Reasons a callback is refused. They say what did not check out and
// nothing about the secrets it was checked against.
var (
	errSignature = errors.New("bad msg_signature")
	errReceiveID = errors.New("receiveid is not our corpid")
	errTimestamp = errors.New("timestamp outside the 5-minute window")
	errCipher    = errors.New("undecryptable payload")
)

// sealer checks and opens WeCom's callback envelopes (WXBizMsgCrypt):
// SHA-1 over the sorted token, timestamp, nonce and ciphertext, and
// AES-256-CBC with the key's first 16 bytes as IV and 32-byte PKCS#7.
type sealer struct {
	token  string
	key    []byte
	corpID string
}

func newSealer(c Config) (*sealer, error) {
	key, err := aesKey(c.AESKey)
	if err != nil {
		return nil, fmt.Errorf("LEADBOT_WECOM_AES_KEY: %w", err)
	}
	return &sealer{token: c.Token, key: key, corpID: c.CorpID}, nil
}

// verify reports whether sig signs the other three strings.
func (s *sealer) verify(sig, timestamp, nonce, encrypted string) error {
	want := util.Signature(s.token, timestamp, nonce, encrypted)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return errSignature
	}
	return nil
}

// open decrypts a payload and returns the message, provided it was
// sealed for our corp.
func (s *sealer) open(encrypted string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(encrypted)
	if err != nil {
		return nil, errCipher
	}
	_, msg, receiveID, err := util.AESDecryptMsg(raw, s.key)
	if err != nil {
		return nil, errCipher
	}
	if subtle.ConstantTimeCompare(receiveID, []byte(s.corpID)) != 1 {
		return nil, errReceiveID
	}
	return msg, nil
}

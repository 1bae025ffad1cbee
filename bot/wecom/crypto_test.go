package wecom

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// Tencent's sample vectors for WXBizMsgCrypt.
const (
	katToken   = "QDG6eK"
	katAESKey  = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
	katCorp    = "wx5823bf96d3bd56c7"
	katGetTS   = "1409659589"
	katGetNon  = "263014780"
	katEcho    = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
	katGetSig  = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
	katGetText = "1616140317555161061"
	katPostTS  = "1409659813"
	katPostNon = "1372623149"
	katPostSig = "477715d11cdb4164915debcba66cb864d751f3e6"
	katPostEnc = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)

func katSealer(t *testing.T) *sealer {
	t.Helper()
	s, err := newSealer(Config{CorpID: katCorp, Token: katToken, AESKey: katAESKey})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealerKnownAnswers(t *testing.T) {
	s := katSealer(t)
	if err := s.verify(katGetSig, katGetTS, katGetNon, katEcho); err != nil {
		t.Errorf("verify(GET vector) = %v, want nil", err)
	}
	got, err := s.open(katEcho)
	if err != nil || string(got) != katGetText {
		t.Errorf("open(echostr) = %q, %v; want %q", got, err, katGetText)
	}

	if err := s.verify(katPostSig, katPostTS, katPostNon, katPostEnc); err != nil {
		t.Errorf("verify(POST vector) = %v, want nil", err)
	}
	got, err = s.open(katPostEnc)
	if err != nil {
		t.Fatalf("open(POST vector) = %v", err)
	}
	for _, want := range []string{"<Content><![CDATA[hello]]></Content>", "4561255354251345929"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("open(POST vector) = %s, want it to contain %s", got, want)
		}
	}
}

func TestSealerRefuses(t *testing.T) {
	s := katSealer(t)
	if err := s.verify(katGetSig, katGetTS, "other-nonce", katEcho); !errors.Is(err, errSignature) {
		t.Errorf("verify(changed nonce) = %v, want errSignature", err)
	}
	other, err := newSealer(Config{CorpID: "wwsomeoneelse", Token: katToken, AESKey: katAESKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.open(katPostEnc); !errors.Is(err, errReceiveID) {
		t.Errorf("open(for another corp) = %v, want errReceiveID", err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := s.open(bad); !errors.Is(err, errCipher) {
			t.Errorf("open(%q) = %v, want errCipher", bad, err)
		}
	}
}

// encrypt is an encryptor written from the spec, independent of the code
// under test: 16 random bytes, the length big-endian, the message, the
// receive id, PKCS#7 to 32 bytes, AES-256-CBC with IV = key[:16].
func encrypt(t testing.TB, aesKey43, receiveID string, msg []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(aesKey43 + "=")
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	plain.WriteString("0123456789abcdef")
	_ = binary.Write(&plain, binary.BigEndian, uint32(len(msg)))
	plain.Write(msg)
	plain.WriteString(receiveID)
	pad := 32 - plain.Len()%32
	plain.Write(bytes.Repeat([]byte{byte(pad)}, pad))

	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, plain.Len())
	cipher.NewCBCEncrypter(block, key[:16]).CryptBlocks(out, plain.Bytes())
	return base64.StdEncoding.EncodeToString(out)
}

func TestSealerRoundTrip(t *testing.T) {
	s := katSealer(t)
	// Lengths around the block size, including one that needs a whole
	// block of padding.
	for _, n := range []int{1, 12, 13, 26, 44, 45, 100} {
		msg := []byte(strings.Repeat("x", n))
		got, err := s.open(encrypt(t, katAESKey, katCorp, msg))
		if err != nil || !bytes.Equal(got, msg) {
			t.Errorf("open(encrypt(%d bytes)) = %q, %v; want the message back", n, got, err)
		}
	}
}

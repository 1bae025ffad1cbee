package csvimport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a file auto-detection reads to choose between
// UTF-8 and GBK.
const sniffSize = 64 << 10

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// countingReader counts the bytes read through it, for progress reports.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decode returns src as UTF-8 text, and whether that text is UTF-8 only
// by claim, so that each cell must still be checked.
func decode(src io.Reader, encoding string) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(src, sniffSize)
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "auto":
		return sniff(br)
	case "utf-8", "utf8":
		_, err := skipBOM(br)
		return br, true, err
	case "gbk", "gb18030", "gb2312":
		return gbk(br), false, nil
	}
	return nil, false, fmt.Errorf("encoding %q: want auto, utf-8 or gbk", encoding)
}

func sniff(br *bufio.Reader) (io.Reader, bool, error) {
	bom, err := skipBOM(br)
	if err != nil || bom {
		return br, true, err
	}

	head, err := br.Peek(sniffSize)
	atEOF := errors.Is(err, io.EOF)
	if err != nil && !atEOF {
		return nil, false, fmt.Errorf("detect encoding: %w", err)
	}
	if bytes.HasPrefix(head, bomUTF16LE) || bytes.HasPrefix(head, bomUTF16BE) {
		return nil, false, errors.New("file is UTF-16 text: save it as CSV (UTF-8 or GBK)")
	}
	if !atEOF {
		head = trimPartialRune(head)
	}
	if utf8.Valid(head) {
		return br, true, nil
	}
	return gbk(br), false, nil
}

// skipBOM discards a UTF-8 byte order mark at the start of br.
func skipBOM(br *bufio.Reader) (bool, error) {
	head, err := br.Peek(len(bomUTF8))
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("detect encoding: %w", err)
	}
	if !bytes.Equal(head, bomUTF8) {
		return false, nil
	}
	_, err = br.Discard(len(bomUTF8))
	return true, err
}

// trimPartialRune drops a multibyte sequence that the end of b cuts off.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// gbk decodes GB18030, a superset of GBK and GB2312.
func gbk(r io.Reader) io.Reader {
	return transform.NewReader(r, simplifiedchinese.GB18030.NewDecoder())
}

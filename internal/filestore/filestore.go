// Package filestore keeps uploaded documents on disk under their SHA-256, outside the
// database rows that describe them. Files are written to a temporary name and renamed into
// place, so a reader never sees half a file and a failed upload leaves nothing behind.
package filestore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// Allowed maps the content types documents may have to a file extension.
var Allowed = map[string]string{
	"application/pdf": ".pdf",
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
}

// Errors of Put.
var (
	ErrTooLarge    = errors.New("file too large")
	ErrUnsupported = errors.New("unsupported file type")
	ErrEmpty       = errors.New("empty file")
)

// Store is a folder of content-addressed files.
type Store struct{ dir string }

// New returns a Store rooted at dir (created if missing).
func New(dir string) (*Store, error) {
	for _, d := range []string{dir, filepath.Join(dir, "tmp")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("file store %s: %w", d, err)
		}
	}
	return &Store{dir: dir}, nil
}

// Stored describes a file after Put.
type Stored struct {
	SHA256      string
	Size        int64
	ContentType string
	created     bool // this Put created the file (so Discard may remove it)
}

// Put streams r to disk, at most max bytes, decides its type from its first bytes (never
// from the name or the client's claim) and files it under its hash. Beyond max it stops
// reading and returns ErrTooLarge without keeping anything.
func (s *Store) Put(r io.Reader, max int64) (*Stored, error) {
	return s.put(r, max, func(head []byte) (string, bool) {
		ct := sniff(head)
		_, ok := Allowed[ct]
		return ct, ok
	})
}

// PutTyped is Put for a caller that has already read and validated the whole content (the
// special mark's artwork: SVG, which sniffing cannot tell from other XML): the file is
// stored as contentType.
func (s *Store) PutTyped(r io.Reader, max int64, contentType string) (*Stored, error) {
	return s.put(r, max, func([]byte) (string, bool) { return contentType, true })
}

func (s *Store) put(r io.Reader, max int64, typeOf func(head []byte) (string, bool)) (*Stored, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	if n == 0 {
		return nil, ErrEmpty
	}
	ct, ok := typeOf(head)
	if !ok {
		return nil, ErrUnsupported
	}
	if int64(n) > max {
		return nil, ErrTooLarge
	}
	h.Write(head)
	if _, err := tmp.Write(head); err != nil {
		return nil, err
	}
	// Copy the rest, one byte more than allowed so an oversized upload is detected while
	// streaming, not after buffering it all.
	rest, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max-int64(n)+1))
	if err != nil {
		return nil, err
	}
	size := int64(n) + rest
	if size > max {
		return nil, ErrTooLarge
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return nil, err
	}
	st := &Stored{SHA256: sum, Size: size, ContentType: ct}
	if _, err := os.Stat(final); err == nil {
		return st, nil // same content already stored; the deferred cleanup drops the temp file
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, err
	}
	keep = true
	st.created = true
	return st, nil
}

// Discard removes a file this Put created, when the row describing it could not be written
// and no other row refers to it (inUse).
func (s *Store) Discard(st *Stored, inUse bool) {
	if st != nil && st.created && !inUse {
		os.Remove(s.path(st.SHA256))
	}
}

// Open opens the file with the given hash.
func (s *Store) Open(sum string) (*os.File, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, os.ErrNotExist
	}
	return os.Open(s.path(sum))
}

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum)
}

// sniff decides the type from content. PDF, JPEG and PNG all have fixed signatures, which
// http.DetectContentType recognises; an executable or script that claims to be a PDF does not
// carry "%PDF-" and is refused.
func sniff(head []byte) string {
	ct := http.DetectContentType(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return ct
}

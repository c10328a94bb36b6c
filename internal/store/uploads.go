package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// UploadChunk is the size of the pieces an uploaded file is stored in: a reader never holds
// more than one piece of a file in memory.
const UploadChunk = 1 << 20

// uploadScheme prefixes the references to uploaded files that import runs carry instead of paths.
const uploadScheme = "upload:"

// ErrUploadMissing is returned when an uploaded file is not in the store (never uploaded,
// uploaded only in part, or dropped after its import finished).
var ErrUploadMissing = errors.New("uploaded file is not in the store")

// Upload describes one file streamed into the store.
type Upload struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"` // the file's name on the machine it came from, for messages
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Modified time.Time `json:"modified"`
}

// Ref is the reference an import run carries for the upload.
func (u Upload) Ref() string { return uploadScheme + u.ID }

// UploadID returns the upload a reference names, or false when ref is not an upload reference.
func UploadID(ref string) (string, bool) {
	id, ok := strings.CutPrefix(ref, uploadScheme)
	return id, ok && id != ""
}

// PutUpload streams r into the store under a new upload ID, in chunks of UploadChunk, for the
// import run runID (DropRun drops it). The upload exists only once all of it is stored: a
// reader never sees half a file.
func (s *Store) PutUpload(ctx context.Context, runID, name string, modified time.Time, r io.Reader) (Upload, error) {
	u := Upload{ID: newUploadID(), Name: name, Modified: modified.UTC()}
	h := sha256.New()
	buf := make([]byte, UploadChunk)
	chunks := 0
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			h.Write(buf[:n])
			u.Size += int64(n)
			if _, err := s.db.ExecContext(ctx, `INSERT INTO uploads(upload_id, seq, data) VALUES ($1, $2, $3)`,
				u.ID, chunks, buf[:n]); err != nil {
				s.DropUploads(context.WithoutCancel(ctx), u.ID)
				return u, fmt.Errorf("storing %s: %w", name, err)
			}
			chunks++
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			s.DropUploads(context.WithoutCancel(ctx), u.ID)
			return u, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	u.SHA256 = hex.EncodeToString(h.Sum(nil))
	_, err := s.db.ExecContext(ctx, `INSERT INTO upload_files(upload_id, run_id, name, size, chunks, sha256, modified, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, u.ID, runID, name, u.Size, chunks, u.SHA256, u.Modified.Format(time.RFC3339Nano), now())
	if err != nil {
		s.DropUploads(context.WithoutCancel(ctx), u.ID)
		return u, fmt.Errorf("recording upload of %s: %w", name, err)
	}
	return u, nil
}

func newUploadID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// OpenUpload returns an uploaded file's description and a reader of its content, which reads
// one chunk at a time. It returns ErrUploadMissing when the upload is not (or not wholly) in
// the store.
func (s *Store) OpenUpload(ctx context.Context, id string) (Upload, io.Reader, error) {
	u := Upload{ID: id}
	var chunks int
	var modified string
	err := s.db.QueryRowContext(ctx, `SELECT name, size, chunks, sha256, modified FROM upload_files WHERE upload_id = $1`, id).
		Scan(&u.Name, &u.Size, &chunks, &u.SHA256, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil, fmt.Errorf("upload %s: %w", id, ErrUploadMissing)
	}
	if err != nil {
		return u, nil, fmt.Errorf("reading upload %s: %w", id, err)
	}
	u.Modified, _ = time.Parse(time.RFC3339Nano, modified)
	return u, &uploadReader{ctx: ctx, s: s, u: u, chunks: chunks, h: sha256.New()}, nil
}

// uploadReader reads an upload chunk by chunk and checks its digest at the end.
type uploadReader struct {
	ctx    context.Context
	s      *Store
	u      Upload
	chunks int
	next   int
	cur    bytes.Reader
	h      interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (r *uploadReader) Read(p []byte) (int, error) {
	for r.cur.Len() == 0 {
		if r.next == r.chunks {
			if got := hex.EncodeToString(r.h.Sum(nil)); got != r.u.SHA256 {
				return 0, fmt.Errorf("upload %s (%s) does not match its digest: %w", r.u.ID, r.u.Name, ErrUploadMissing)
			}
			return 0, io.EOF
		}
		var data []byte
		err := r.s.db.QueryRowContext(r.ctx, `SELECT data FROM uploads WHERE upload_id = $1 AND seq = $2`, r.u.ID, r.next).Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("upload %s (%s) lost chunk %d: %w", r.u.ID, r.u.Name, r.next, ErrUploadMissing)
		}
		if err != nil {
			return 0, fmt.Errorf("reading upload %s: %w", r.u.ID, err)
		}
		r.h.Write(data)
		r.cur.Reset(data)
		r.next++
	}
	return r.cur.Read(p)
}

// DropUploads deletes uploaded files.
func (s *Store) DropUploads(ctx context.Context, ids ...string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM upload_files WHERE upload_id = $1`, id); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM uploads WHERE upload_id = $1`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

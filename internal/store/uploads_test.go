package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestUploadRoundTrip(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		for _, size := range []int{0, 1, UploadChunk, 2*UploadChunk + 17} {
			data := bytes.Repeat([]byte("first,last\r\nAda,Lovelace\r\n"), size/25+1)[:size]
			mod := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
			u, err := s.PutUpload(ctx, "run-1", "/home/op/apollo.csv", mod, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			id, ok := UploadID(u.Ref())
			if !ok || id != u.ID || u.Size != int64(size) {
				t.Fatalf("upload %+v, ref %q", u, u.Ref())
			}
			got, r, err := s.OpenUpload(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(back, data) || got.Name != "/home/op/apollo.csv" || !got.Modified.Equal(mod) {
				t.Fatalf("size %d: read %d bytes (%v), upload %+v", size, len(back), err, got)
			}
			drop := func() error { return s.DropUploads(ctx, id) }
			if size%2 == 1 {
				drop = func() error { return s.DropRun(ctx, "run-1") } // finishing the run drops its files
			}
			if err := drop(); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.OpenUpload(ctx, id); !errors.Is(err, ErrUploadMissing) {
				t.Fatalf("dropped upload opened: %v", err)
			}
		}
	})
}

// A reader that fails half-way leaves no upload behind.
func TestUploadFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		s := open(t)
		r := io.MultiReader(strings.NewReader(strings.Repeat("x", UploadChunk+5)), failing{})
		if _, err := s.PutUpload(ctx, "run-1", "a.csv", time.Now(), r); err == nil {
			t.Fatal("a failing reader was stored")
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM uploads`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d chunks left behind (%v)", n, err)
		}
		if _, ok := UploadID("/tmp/a.csv"); ok {
			t.Fatal("a path was taken for an upload reference")
		}
	})
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestMissingBatchIsAnError(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		if _, err := open(t).Batch(context.Background(), "run", 3); !errors.Is(err, ErrBatchMissing) {
			t.Fatalf("missing batch: %v, want ErrBatchMissing", err)
		}
	})
}

func TestMigrationsAreNumberedAndApplied(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, open opener) {
		s := open(t)
		all, err := Migrations(s.dialect.name)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := s.SchemaVersion(context.Background()); err != nil || v != all[len(all)-1].Version {
			t.Fatalf("schema version %d (%v), want %d", v, err, all[len(all)-1].Version)
		}
	})
	sq, _ := Migrations("sqlite")
	pg, _ := Migrations("postgres")
	if len(sq) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones: every schema change needs both", len(sq), len(pg))
	}
	for i := range sq {
		if sq[i].Version != pg[i].Version || sq[i].Name != pg[i].Name {
			t.Errorf("migration %d_%s (SQLite) and %d_%s (PostgreSQL) differ: every schema change needs both",
				sq[i].Version, sq[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

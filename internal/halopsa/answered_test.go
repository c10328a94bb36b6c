package halopsa

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimiterCountsARequestUntilAWindowAfterItsAnswer: a request taken with Take counts for
// two windows from its start while in flight, for one window from its answer once answered,
// and for two windows from its failure when it failed without an answer; one counted by Wait
// counts for the window and 1 %. The check is made a millisecond before and at the end.
func TestLimiterCountsARequestUntilAWindowAfterItsAnswer(t *testing.T) {
	t.Parallel()
	const window = time.Hour
	for _, tc := range []struct {
		name string
		// use takes budget at the clock's start, lets took pass, and ends the request.
		use  func(l *Limiter, clock *fakeClock, took time.Duration) error
		took time.Duration
		want time.Duration // how long after the start it stops counting
	}{
		{"in flight", func(l *Limiter, _ *fakeClock, _ time.Duration) error {
			_, err := l.Take(context.Background())
			return err
		},
			0, 2 * window},
		{"answered", takeAndEnd(true), 3 * time.Minute, 3*time.Minute + window},
		{"answered after two windows", takeAndEnd(true), 3 * window, 4 * window},
		{"failed without an answer", takeAndEnd(false), 3 * time.Minute, 3*time.Minute + 2*window},
		{"failed after two windows", takeAndEnd(false), 3 * window, 5 * window},
		{"counted by Wait", func(l *Limiter, _ *fakeClock, _ time.Duration) error { return l.Wait(context.Background()) },
			0, window + window/100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			t0 := clock.Now()
			l, err := NewLimiter(LimiterConfig{Limit: 1, Window: window, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.use(l, clock, tc.took); err != nil {
				t.Fatal(err)
			}
			clock.set(t0.Add(tc.want - time.Millisecond))
			if n := l.InUse(); n != 1 {
				t.Fatalf("%v after its start the request no longer counts", tc.want-time.Millisecond)
			}
			clock.set(t0.Add(tc.want))
			if n := l.InUse(); n != 0 {
				t.Fatalf("%v after its start the request still counts", tc.want)
			}
		})
	}
}

// takeAndEnd takes budget, lets took pass and ends the request.
func takeAndEnd(answered bool) func(*Limiter, *fakeClock, time.Duration) error {
	return func(l *Limiter, clock *fakeClock, took time.Duration) error {
		done, err := l.Take(context.Background())
		if err != nil {
			return err
		}
		clock.advance(took)
		done(answered)
		return nil
	}
}

// TestRequestTheClientGaveUpOnCountsUntilTheServerDoes: the client gives up on a request
// (its context ends) after the request was sent but before HaloPSA got to it; HaloPSA counts
// it from when it gets to it, later. The budget must count it until a window after that, or a
// client at its full budget draws a 429. Counting it until a window after the client gave up
// (as if answered) is too short, and so is the window and 1 % from its start.
func TestRequestTheClientGaveUpOnCountsUntilTheServerDoes(t *testing.T) {
	t.Parallel()
	const window = time.Hour
	clock := newFakeClock()
	lim, err := NewLimiter(LimiterConfig{Limit: 1, Window: window, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	received, release, counted := make(chan struct{}), make(chan struct{}), make(chan time.Time, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(received)
		<-release
		counted <- clock.Now() // HaloPSA counts the request when it gets to it
		writeJSON(w, http.StatusOK, map[string]any{"auth_url": "x"})
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	c, err := New(Config{BaseURL: srv.URL, ClientID: "id", ClientSecret: "secret", Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	failed := make(chan error, 1)
	go func() { _, err := c.AuthInfo(ctx); failed <- err }()
	<-received
	clock.advance(50 * time.Second)
	cancel()
	if err := <-failed; !errors.Is(err, context.Canceled) {
		t.Fatalf("AuthInfo after the client gave up: %v, want context.Canceled", err)
	}
	clock.advance(10 * time.Second)
	close(release)
	at := <-counted
	clock.set(at.Add(window - time.Millisecond))
	if n := lim.InUse(); n != 1 {
		t.Fatalf("the budget counts %d requests a window after HaloPSA counted the one the client gave up on, want 1", n)
	}
}

// TestRequestResentByNetHTTPTakesBudgetAgain: net/http re-sends a GET by itself when the kept-
// alive connection it wrote it on closes without an answer, and the server may have counted
// the first one: every connection a request is sent on takes budget, so the budget never grants
// fewer requests than the server received.
func TestRequestResentByNetHTTPTakesBudgetAgain(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var received atomic.Int32
	go func() {
		for first := true; ; first = false {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveThenDrop(conn, first, &received)
		}
	}()
	lim, err := NewLimiter(LimiterConfig{Limit: 10, Window: time.Hour, Clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{BaseURL: "http://" + ln.Addr().String(), ClientID: "id", ClientSecret: "secret", Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.AuthInfo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := received.Load(); got != 3 {
		t.Fatalf("the server received %d requests, want 3 (the second re-sent by net/http)", got)
	}
	if n := lim.InUse(); n < 3 {
		t.Fatalf("the budget granted %d requests, the server received 3", n)
	}
}

// serveThenDrop answers requests on conn; on the first connection it reads the second request
// and closes the connection without answering it.
func serveThenDrop(conn net.Conn, first bool, received *atomic.Int32) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for n := 1; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		received.Add(1)
		if first && n == 2 {
			return
		}
		body := `{"auth_url":"x"}`
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		_ = req.Body.Close()
	}
}

package cli

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"haloleads/internal/lifecycle"
)

// TestFunnelHTMLInChromium imports the demo's samples, writes `report funnel --html`, and renders
// the file in headless Chromium: the rendered DOM holds the SVG charts and their bars, and the
// screenshot shows the bars' colour (it is not blank). It also checks the JSON figures against
// the import's summary.
func TestFunnelHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the embedded Temporal server")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian: apt-get install -y chromium); .ci/run installs it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	emb, dir := startWorld(ctx, t, zap.NewNop())
	_, sum := importSamples(ctx, t, emb)
	env := worldEnv(emb, dir)
	awaitReport(ctx, t, env, func(r report) bool { return r.Leads == int64(sum.Leads) })

	html := filepath.Join(dir, "funnel.html")
	out := runStarter(t, env, "report", "funnel", "--html", html, "--json")
	var fr funnelReport
	if err := json.Unmarshal([]byte(out), &fr); err != nil {
		t.Fatalf("report funnel --json: %v\n%s", err, out)
	}
	if fr.Total.Leads != sum.Leads || fr.Total.InStage.Lead != sum.Leads || len(fr.BySource) < 2 {
		t.Errorf("funnel of %d leads: %+v", sum.Leads, fr.Total)
	}
	if tl := fr.Total.TimeInStage.Lead; tl.Leads != sum.Leads || fr.Total.TimeInStage.Prospect.Leads != 0 {
		t.Errorf("time in stage of %d new leads: %+v", sum.Leads, fr.Total.TimeInStage)
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<script", "http://", "https://", "@import"} {
		if strings.Contains(strings.ReplaceAll(string(page), `xmlns="http://www.w3.org/2000/svg"`, ""), banned) {
			t.Errorf("the HTML is not self-contained: it holds %q", banned)
		}
	}

	dom := chromium(ctx, t, browser, "--dump-dom", "file://"+html)
	if n := strings.Count(dom, "<svg"); n != 4 {
		t.Errorf("rendered DOM holds %d <svg> charts, want 4", n)
	}
	if n := strings.Count(dom, `class="bar"`); n < len(fr.BySource) {
		t.Errorf("rendered DOM holds %d bars, want at least %d", n, len(fr.BySource))
	}
	shot := filepath.Join(dir, "funnel.png")
	if keep := os.Getenv("HALOLEADS_KEEP_SCREENSHOT"); keep != "" {
		shot = keep
	}
	chromium(ctx, t, browser, "--screenshot="+shot, "--window-size=1000,1400", "file://"+html)
	blue, total := colouredPixels(t, shot, 0x00, 0x72, 0xB2)
	t.Logf("screenshot: %d of %d pixels in the bars' blue", blue, total)
	if blue < 500 {
		t.Errorf("the screenshot shows %d pixels of the bars' colour: the charts were not drawn", blue)
	}
}

// runStarter runs the starter in-process and returns its stdout, failing on a non-zero exit.
func runStarter(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	var out, errs strings.Builder
	if code := Run(args, IO{Stdout: &out, Stderr: &errs, Getenv: func(k string) string { return env[k] }}); code != 0 {
		t.Fatalf("starter %v exited %d: %s", args, code, errs.String())
	}
	return out.String()
}

// chromium runs headless Chromium with args and returns its stdout.
func chromium(ctx context.Context, t *testing.T, browser string, args ...string) string {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, browser, append(base, args...)...)
	var out, errs strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errs.String())
	}
	return out.String()
}

// colouredPixels counts the pixels of a PNG within a small distance of the colour r, g, b.
func colouredPixels(t *testing.T, path string, r, g, b uint8) (match, total int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding the screenshot: %v", err)
	}
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -12 && d < 12 }
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			total++
			if near(pr, r) && near(pg, g) && near(pb, b) {
				match++
			}
		}
	}
	return match, total
}

func TestTimeInStage(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	leads := []leadFacts{
		{InStage: map[lifecycle.Stage]time.Duration{lifecycle.Lead: 2 * day, lifecycle.Prospect: 10 * day}},
		{InStage: map[lifecycle.Stage]time.Duration{lifecycle.Lead: 4 * day}},
		{InStage: map[lifecycle.Stage]time.Duration{lifecycle.Lead: 9 * day}},
		{}, // a lead that has not recorded its stages
	}
	for _, tt := range []struct {
		stage lifecycle.Stage
		want  stageTime
	}{
		{lifecycle.Lead, stageTime{Leads: 3, MeanDays: 5, MedianDays: 4}},
		{lifecycle.Prospect, stageTime{Leads: 1, MeanDays: 10, MedianDays: 10}},
		{lifecycle.Opportunity, stageTime{}},
	} {
		if got := timeIn(tt.stage, leads); got != tt.want {
			t.Errorf("timeIn(%s) = %+v, want %+v", tt.stage, got, tt.want)
		}
	}
	if got := timeIn(lifecycle.Lead, leads[:2]); got.MedianDays != 3 {
		t.Errorf("median of 2 and 4 days = %v, want 3", got.MedianDays)
	}
	if c := (stageTime{}).cell(); c != "-" {
		t.Errorf("empty cell = %q", c)
	}
}
